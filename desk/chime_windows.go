//go:build windows

package desk

import (
	"unsafe"

	"golang.org/x/sys/windows"
)

// playSound is winmm's PlaySoundW: Windows' own player of a WAV, on every
// Windows with no program or library to install.
var playSound = windows.NewLazySystemDLL("winmm.dll").NewProc("PlaySoundW")

const (
	sndAsync     = 0x0001 // SND_ASYNC: return at once
	sndNoDefault = 0x0002 // SND_NODEFAULT: silence, not the default beep, on failure
	sndMemory    = 0x0004 // SND_MEMORY: the first argument is the WAV in memory
)

// systemChime plays wav with PlaySoundW from memory, without waiting; wav
// must stay untouched while it plays (the chime is an embedded asset). It
// reports false when Windows could not play it (no sound device).
func systemChime(wav []byte) bool {
	if len(wav) == 0 || playSound.Find() != nil {
		return false
	}
	ok, _, _ := playSound.Call(uintptr(unsafe.Pointer(&wav[0])), 0, sndMemory|sndAsync|sndNoDefault)
	return ok != 0
}
