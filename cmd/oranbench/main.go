// Command oranbench measures HTTP transports against an O-RAN / Porch mock
// backend and writes a markdown report. See README.md.
package main

import "os"

func main() {
	os.Exit(execute(os.Args[1:], os.Stdout, os.Stderr))
}
