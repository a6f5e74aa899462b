package desk

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"sportello/assets"
)

// Colours of the Italian public administration's design system (Designers
// Italia, Bootstrap Italia): PA blue on white, dark text, an orange focus.
var (
	paBlue       = color.NRGBA{R: 0x00, G: 0x66, B: 0xcc, A: 0xff} // #0066CC
	paBlueDark   = color.NRGBA{R: 0x00, G: 0x4d, B: 0x99, A: 0xff} // buttons on blue
	paPressed    = color.NRGBA{R: 0x00, G: 0x4d, B: 0x99, A: 0x40}
	paText       = color.NRGBA{R: 0x1a, G: 0x1a, B: 0x1a, A: 0xff}
	paGrey       = color.NRGBA{R: 0x5c, G: 0x6f, B: 0x82, A: 0xff} // secondary text, placeholders
	paLine       = color.NRGBA{R: 0xc5, G: 0xc7, B: 0xc9, A: 0xff} // input borders, separators
	paSurface    = color.NRGBA{R: 0xf2, G: 0xf7, B: 0xfc, A: 0xff} // header and button backgrounds
	paFocus      = color.NRGBA{R: 0xff, G: 0x99, B: 0x00, A: 0x99} // focus: Bootstrap Italia's orange
	paSelection  = color.NRGBA{R: 0x00, G: 0x66, B: 0xcc, A: 0x33}
	paHover      = color.NRGBA{R: 0x00, G: 0x66, B: 0xcc, A: 0x14}
	paError      = color.NRGBA{R: 0xcc, G: 0x33, B: 0x4d, A: 0xff}
	paSuccess    = color.NRGBA{R: 0x00, G: 0x80, B: 0x55, A: 0xff}
	paWarning    = color.NRGBA{R: 0xa6, G: 0x63, B: 0x00, A: 0xff}
	paWhite      = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	paDisabled   = color.NRGBA{R: 0x8c, G: 0x96, B: 0xa0, A: 0xff}
	paDisabledBg = color.NRGBA{R: 0xe6, G: 0xe9, B: 0xec, A: 0xff}
)

// deskTheme is the desk's look: Titillium Web, PA blue on white and focus
// marks that cannot be missed. It is light unless a later setting (a
// high-contrast or dark variant) sets variant; colours it does not name come
// from Fyne's default theme in that variant.
type deskTheme struct {
	base     fyne.Theme
	variant  fyne.ThemeVariant
	contrast bool    // black on white, dark blue, thick borders
	scale    float32 // text size, 1 as designed

	regular, bold, italic fyne.Resource
}

// clerkLook is the clerk's own choice of look (the settings screen), kept
// in the Fyne preferences: every deskTheme made from then on follows it.
// Touched on the UI goroutine only.
var clerkLook struct {
	contrast bool    // the high-contrast palette
	scale    float32 // text size; 0 is 1
}

func newDeskTheme() *deskTheme {
	scale := clerkLook.scale
	if scale <= 0 {
		scale = 1
	}
	return &deskTheme{
		base:     theme.DefaultTheme(),
		variant:  theme.VariantLight,
		contrast: clerkLook.contrast,
		scale:    scale,
		regular:  fyne.NewStaticResource("TitilliumWeb_400Regular.ttf", assets.FontRegular),
		bold:     fyne.NewStaticResource("TitilliumWeb_600SemiBold.ttf", assets.FontSemiBold),
		italic:   fyne.NewStaticResource("TitilliumWeb_400Regular_Italic.ttf", assets.FontItalic),
	}
}

// Color returns the PA palette for the light variant; the brand colours
// (primary, focus, selection) hold in every variant.
func (t *deskTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	if t.contrast && t.variant == theme.VariantLight {
		if c, ok := highContrast[n]; ok {
			return c
		}
	}
	switch n {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return paBlue
	case theme.ColorNameForegroundOnPrimary:
		return paWhite
	case theme.ColorNameFocus:
		return paFocus
	case theme.ColorNameSelection:
		return paSelection
	}
	if t.variant != theme.VariantLight {
		return t.base.Color(n, t.variant)
	}
	switch n {
	case theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameMenuBackground,
		theme.ColorNameOverlayBackground:
		return paWhite
	case theme.ColorNameForeground:
		return paText
	case theme.ColorNamePlaceHolder:
		return paGrey
	case theme.ColorNameInputBorder, theme.ColorNameSeparator:
		return paLine
	case theme.ColorNameButton, theme.ColorNameHeaderBackground:
		return paSurface
	case theme.ColorNameHover:
		return paHover
	case theme.ColorNamePressed:
		return paPressed
	case theme.ColorNameError:
		return paError
	case theme.ColorNameSuccess:
		return paSuccess
	case theme.ColorNameWarning:
		return paWarning
	case theme.ColorNameForegroundOnError, theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnWarning:
		return paWhite
	case theme.ColorNameDisabled:
		return paDisabled
	case theme.ColorNameDisabledButton:
		return paDisabledBg
	}
	return t.base.Color(n, t.variant)
}

// Font returns Titillium Web; bold text is its semibold weight, as the PA
// design system sets labels and buttons. Titillium has no monospace or
// symbol face: those stay Fyne's.
func (t *deskTheme) Font(s fyne.TextStyle) fyne.Resource {
	switch {
	case s.Monospace, s.Symbol:
		return t.base.Font(s)
	case s.Bold:
		return t.bold
	case s.Italic:
		return t.italic
	}
	return t.regular
}

func (t *deskTheme) Icon(n fyne.ThemeIconName) fyne.Resource {
	return t.base.Icon(n)
}

// Size makes text a little larger than Fyne's default (Titillium runs small)
// and input borders thick enough to show focus at a glance.
// The clerk's text size scales every text and the inline icons with it;
// the high-contrast theme draws input borders three pixels wide.
func (t *deskTheme) Size(n fyne.ThemeSizeName) float32 {
	scale := t.scale
	if scale <= 0 {
		scale = 1
	}
	switch n {
	case theme.SizeNameText:
		return 15 * scale
	case theme.SizeNameCaptionText:
		return 13 * scale
	case theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameInlineIcon:
		return t.base.Size(n) * scale
	case theme.SizeNameInputBorder:
		if t.contrast {
			return 3
		}
		return 2
	}
	return t.base.Size(n)
}

// highContrast is the high-contrast palette: black text on white, PA blue
// darkened to #003366 (12.6:1 on white), black borders and separators, a
// black focus ring; every text at least 7:1 on its background (WCAG 2.1
// 1.4.6, level AAA).
var highContrast = map[fyne.ThemeColorName]color.Color{
	theme.ColorNamePrimary:             paNavy,
	theme.ColorNameHyperlink:           paNavy,
	theme.ColorNameForeground:          color.Black,
	theme.ColorNamePlaceHolder:         color.NRGBA{R: 0x33, G: 0x33, B: 0x33, A: 0xff},
	theme.ColorNameInputBorder:         color.Black,
	theme.ColorNameSeparator:           color.Black,
	theme.ColorNameFocus:               color.Black,
	theme.ColorNameButton:              paWhite,
	theme.ColorNameHeaderBackground:    paWhite,
	theme.ColorNameError:               color.NRGBA{R: 0x99, G: 0x00, B: 0x1a, A: 0xff},
	theme.ColorNameSuccess:             color.NRGBA{R: 0x00, G: 0x4d, B: 0x33, A: 0xff},
	theme.ColorNameWarning:             color.NRGBA{R: 0x66, G: 0x3d, B: 0x00, A: 0xff},
	theme.ColorNameDisabled:            color.NRGBA{R: 0x4d, G: 0x4d, B: 0x4d, A: 0xff},
	theme.ColorNameForegroundOnPrimary: paWhite,
}

// paNavy is the high-contrast theme's PA blue.
var paNavy = color.NRGBA{R: 0x00, G: 0x33, B: 0x66, A: 0xff}

// barTheme is the top bar's look: white text on PA blue.
type barTheme struct{ *deskTheme }

func (t barTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch n {
	case theme.ColorNameBackground:
		return paBlue
	case theme.ColorNameForeground:
		return paWhite
	case theme.ColorNameButton:
		return paBlueDark
	case theme.ColorNameHover:
		return color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0x26}
	}
	return t.deskTheme.Color(n, v)
}
