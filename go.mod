module github.com/bouncescan/bouncescan

go 1.26.8

require (
	github.com/alecthomas/kong v1.17.0
	golang.org/x/term v0.44.0
)

require (
	github.com/google/go-cmp v0.7.0 // indirect
	golang.org/x/sys v0.46.0 // indirect
)
