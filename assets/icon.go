// Package assets holds the files the programs embed: fonts, the icon, the
// municipality and foreign-state codes, name lists for the demo municipality
// and the translations.
package assets

import _ "embed"

// Icon is the application icon (PNG, 512x512).
//
//go:embed icon.png
var Icon []byte
