package bouncescan

import "fmt"

// Class is the RFC 3463 class of an outcome: the first digit of the
// enhanced status code (2 success, 4 transient, 5 permanent).
type Class uint8

// Classes.
const (
	ClassUnknown Class = iota
	ClassSuccess
	ClassTransient
	ClassPermanent
	classCount
)

var classNames = [classCount]string{"unknown", "success", "transient", "permanent"}

func (c Class) String() string {
	if c < classCount {
		return classNames[c]
	}
	return fmt.Sprintf("class(%d)", uint8(c))
}

// ParseClass maps a name to a Class.
func ParseClass(name string) (Class, bool) {
	for i, n := range classNames {
		if n == name {
			return Class(i), true
		}
	}
	return ClassUnknown, false
}

// ClassOfDigit maps the first digit of a reply or enhanced code to a Class.
func ClassOfDigit(d byte) Class {
	switch d {
	case '2':
		return ClassSuccess
	case '4':
		return ClassTransient
	case '5':
		return ClassPermanent
	}
	return ClassUnknown
}

// MarshalText makes Class appear by name in JSON.
func (c Class) MarshalText() ([]byte, error) { return []byte(c.String()), nil }

// UnmarshalText reads a Class from its name.
func (c *Class) UnmarshalText(b []byte) error {
	v, ok := ParseClass(string(b))
	if !ok {
		return fmt.Errorf("unknown class %q", b)
	}
	*c = v
	return nil
}

// Subject is the RFC 3463 subject: the middle number of the enhanced code.
type Subject uint8

// Subjects, in the order of their code (X.0.X … X.7.X). SubjectNone means
// no subject could be determined.
const (
	SubjectOther      Subject = iota // X.0.X
	SubjectAddressing                // X.1.X
	SubjectMailbox                   // X.2.X
	SubjectSystem                    // X.3.X mail system
	SubjectNetwork                   // X.4.X network and routing
	SubjectProtocol                  // X.5.X mail delivery protocol
	SubjectContent                   // X.6.X message content or media
	SubjectSecurity                  // X.7.X security or policy
	subjectCount
	SubjectNone Subject = 255
)

var subjectNames = [subjectCount]string{"other", "addressing", "mailbox", "system", "network", "protocol", "content", "security"}

func (s Subject) String() string {
	if s < subjectCount {
		return subjectNames[s]
	}
	if s == SubjectNone {
		return ""
	}
	return fmt.Sprintf("subject(%d)", uint8(s))
}

// ParseSubject maps a name to a Subject.
func ParseSubject(name string) (Subject, bool) {
	for i, n := range subjectNames {
		if n == name {
			return Subject(i), true
		}
	}
	if name == "" {
		return SubjectNone, true
	}
	return SubjectNone, false
}

// SubjectOfCode returns the subject of an enhanced status code "C.S.D".
func SubjectOfCode(enhanced string) Subject {
	if len(enhanced) >= 3 && enhanced[1] == '.' && enhanced[2] >= '0' && enhanced[2] <= '7' &&
		(len(enhanced) == 3 || enhanced[3] == '.') {
		return Subject(enhanced[2] - '0')
	}
	return SubjectNone
}

// MarshalText makes Subject appear by name in JSON.
func (s Subject) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a Subject from its name.
func (s *Subject) UnmarshalText(b []byte) error {
	v, ok := ParseSubject(string(b))
	if !ok {
		return fmt.Errorf("unknown subject %q", b)
	}
	*s = v
	return nil
}

// Verdict is the classifier's answer for one event: what kind of outcome
// it is, why, and the evidence.
type Verdict struct {
	Class        Class    `json:"class"`
	Subject      Subject  `json:"subject"`
	Reason       string   `json:"reason"`                  // sisimai-style reason: userunknown, mailboxfull, …
	EnhancedCode string   `json:"enhanced_code,omitempty"` // normalised enhanced code the verdict used
	ReplyCode    int      `json:"reply_code,omitempty"`
	Description  string   `json:"description,omitempty"` // registry text for the enhanced code
	Provider     string   `json:"provider,omitempty"`    // gmail, microsoft, yahoo, … or empty
	Rule         string   `json:"rule"`                  // id of the rule that decided
	Evidence     string   `json:"evidence,omitempty"`    // the part of the input that matched
	Flags        []string `json:"flags,omitempty"`       // inconsistencies noticed in the data
}
