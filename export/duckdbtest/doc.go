// Package duckdbtest reads what `bouncescan export` writes with DuckDB, an
// independent Parquet reader, and checks it against `bouncescan scan
// --events`. It is a module of its own because DuckDB's Go bindings need
// cgo, which the bouncescan binary must not: run it with
//
//	cd export/duckdbtest && go test ./...
//
// (.ci/run does). The tests build bouncescan from the parent module.
package duckdbtest
