package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
)

// The clerk's own settings, kept as Fyne preferences (per user of the
// computer, not per desk): the interface's language, the high-contrast
// theme and the text size.
const (
	prefLanguage = "clerk.language" // "it" or "en"; empty: the configuration's
	prefContrast = "clerk.contrast"
	prefTextSize = "clerk.textScale"
)

// textSizes are the text sizes offered, as scales of the designed size.
var textSizes = []struct {
	label func() string
	scale float32
}{
	{func() string { return lang.L("Normal") }, 1},
	{func() string { return lang.L("Large") }, 1.2},
	{func() string { return lang.L("Very large") }, 1.45},
}

// languageNames name each language in itself.
var languageNames = map[string]string{"it": "Italiano", "en": "English"}

// applyClerkPreferences makes the desk follow the clerk's saved settings:
// the language (when saved) and the look of every theme made from now on.
func applyClerkPreferences(a fyne.App) {
	p := a.Preferences()
	if l := p.String(prefLanguage); l != "" && l != lang.X("language.code", "en") {
		if err := SetupLanguage(l); err != nil {
			fyne.LogError("clerk's language", err)
		}
	}
	clerkLook.contrast = p.Bool(prefContrast)
	clerkLook.scale = float32(p.FloatWithFallback(prefTextSize, 1))
}

// settingsScreen is where a clerk of any role sets their language, the
// high-contrast theme and the text size; each change applies at once.
type settingsScreen struct {
	desk *Desk

	language *widget.Select
	contrast *widget.Check
	size     *widget.RadioGroup
}

func settingsArea(d *Desk, _ access.User) (area, bool) {
	s := &settingsScreen{desk: d}
	return area{name: lang.L("Settings"), icon: theme.SettingsIcon(), content: s.buildUI()}, true
}

func (s *settingsScreen) buildUI() fyne.CanvasObject {
	var names []string
	for _, l := range Languages {
		names = append(names, languageNames[l])
	}
	s.language = newSelect(names, nil)
	s.language.SetSelected(languageNames[lang.X("language.code", "en")])
	s.language.OnChanged = s.onLanguage
	s.contrast = widget.NewCheck(lang.L("High contrast"), s.onContrast)
	s.contrast.Checked = clerkLook.contrast
	var sizes []string
	for _, z := range textSizes {
		sizes = append(sizes, z.label())
	}
	s.size = widget.NewRadioGroup(sizes, nil)
	s.size.Horizontal = true
	for _, z := range textSizes {
		if z.scale == clerkLook.scale || (clerkLook.scale == 0 && z.scale == 1) {
			s.size.Selected = z.label()
		}
	}
	s.size.OnChanged = s.onSize
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Language"), s.language),
		widget.NewFormItem(lang.L("Theme"), s.contrast),
		widget.NewFormItem(lang.L("Text size"), s.size),
	)
	note := &widget.Label{Text: lang.L("These settings are yours on this computer and apply at once."), Wrapping: fyne.TextWrapWord}
	title := &widget.Label{Text: lang.L("Settings"), TextStyle: fyne.TextStyle{Bold: true}, SizeName: theme.SizeNameSubHeadingText}
	return container.NewScroll(container.NewPadded(container.NewVBox(title, note, form)))
}

func (s *settingsScreen) onLanguage(name string) {
	for l, n := range languageNames {
		if n != name || l == lang.X("language.code", "en") {
			continue
		}
		if err := SetupLanguage(l); err != nil {
			fyne.LogError("clerk's language", err)
			return
		}
		s.desk.app.Preferences().SetString(prefLanguage, l)
		s.desk.reopen() // every screen again, in the new language
		return
	}
}

func (s *settingsScreen) onContrast(on bool) {
	clerkLook.contrast = on
	s.desk.app.Preferences().SetBool(prefContrast, on)
	s.desk.reopen()
}

func (s *settingsScreen) onSize(label string) {
	for _, z := range textSizes {
		if z.label() == label {
			clerkLook.scale = z.scale
			s.desk.app.Preferences().SetFloat(prefTextSize, float64(z.scale))
			s.desk.reopen()
			return
		}
	}
}

// newSelect is widget.NewSelect with its placeholder in the interface's
// language: Fyne 2.8's Select shows "(Select one)" without translating it.
func newSelect(options []string, changed func(string)) *widget.Select {
	sel := widget.NewSelect(options, changed)
	sel.PlaceHolder = lang.L("(Select one)")
	return sel
}
