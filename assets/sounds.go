package assets

import _ "embed"

// Chime is the board's call chime: a two-tone "ding-dong" (E5, then C5,
// each fading out), 0.85 s of 16-bit mono WAV at 16 kHz, synthesised for
// Sportello and under the same licence as the program.
//
//go:embed sounds/chime.wav
var Chime []byte
