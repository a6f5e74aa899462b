package assets

import _ "embed"

// SRGB is an ICC v2 sRGB colour profile, the output intent of Sportello's
// PDF/A documents: from Debian's icc-profiles-free, under the zlib licence
// (color/LICENSE.txt).
//
//go:embed color/sRGB.icc
var SRGB []byte
