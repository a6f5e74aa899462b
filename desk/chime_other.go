//go:build !windows

package desk

// systemChime is Windows' own player; elsewhere the chime goes to the
// programs of chimePlayers.
func systemChime([]byte) bool { return false }
