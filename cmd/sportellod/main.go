// Sportellod is the central server of a municipality's Sportello desks: the
// system of record of the register, the sync endpoint, the trusted desk
// keys and, with the queue, each office's shared line. Its subcommands serve
// the API and administer the file (see usage).
package main

import "os"

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}
