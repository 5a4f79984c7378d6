package classify

// The analyses of a regular expression given as a string, as the tests
// ask for them; compileRule parses each expression once (parseFold) and
// calls the ...Of forms on the tree.

// requiredLiteral is requiredLiteralOf of the expression expr, parsed here.
func requiredLiteral(expr string) string {
	re, err := parseFold(expr)
	if err != nil {
		return ""
	}
	return requiredLiteralOf(re.Simplify())
}

// requiredAnyLiteral is requiredAnyLiteralOf of the expression expr, parsed here.
func requiredAnyLiteral(expr string) []string {
	re, err := parseFold(expr)
	if err != nil {
		return nil
	}
	return requiredAnyLiteralOf(re.Simplify())
}

// regexPrefilter is regexPrefilterOf of the expression expr, parsed here.
func regexPrefilter(expr string) [][]string {
	re, err := parseFold(expr)
	if err != nil {
		return nil
	}
	return regexPrefilterOf(re.Simplify())
}

// newStartRegex is startRegexOf of the expression expr, parsed here.
func newStartRegex(expr string) *startRegex {
	re, err := parseFold(expr)
	if err != nil {
		return nil
	}
	return startRegexOf(expr, re)
}
