module github.com/bouncescan/bouncescan

go 1.26.8

require (
	github.com/alecthomas/kong v1.17.0
	golang.org/x/term v0.44.0
)

require golang.org/x/sys v0.46.0 // indirect
