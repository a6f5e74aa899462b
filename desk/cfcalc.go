package desk

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"sportello/access"
	"sportello/fault"
	"sportello/registry"
)

// cfPlaceChoices is how many places the birth place list offers at most.
const cfPlaceChoices = 30

// cfCalcScreen is the clerk's codice fiscale calculator: compute a code
// from the personal data, check a code and decode it. It reads and writes
// nothing of the register: what it computes is a help, only the Revenue
// Agency issues codes.
type cfCalcScreen struct {
	today func() registry.Date

	surname  *widget.Entry
	name     *widget.Entry
	sex      *widget.RadioGroup
	born     *widget.Entry
	place    *widget.Entry  // a place name (or code) as typed
	places   *widget.Select // the places of that name in force at the birth date
	compute  *widget.Button
	computed *widget.Label // the code computed, or why not

	code    *widget.Entry
	check   *widget.Button
	checked *widget.Label // valid or not, and why
	decoded *widget.Label // sex, birth date, place, omocode

	found []registry.Place // what places lists
}

func newCFCalcScreen(today func() registry.Date) *cfCalcScreen {
	return &cfCalcScreen{today: today}
}

// cfCalcArea is the calculator's area, for the roles that use the register,
// on a desk with the registry in depth.
func cfCalcArea(d *Desk, u access.User) (area, bool) {
	if d.deps.Registry == nil || !u.Role.CanUseRegistry() {
		return area{}, false
	}
	s := newCFCalcScreen(func() registry.Date { return registry.DateOf(d.now()) })
	return area{name: lang.L("Codice fiscale"), icon: theme.ComputerIcon(), content: container.NewScroll(s.buildUI()), onShow: s.focus}, true
}

func (s *cfCalcScreen) buildUI() fyne.CanvasObject {
	s.surname = widget.NewEntry()
	s.name = widget.NewEntry()
	s.sex = widget.NewRadioGroup([]string{sexName(registry.Male), sexName(registry.Female)}, nil)
	s.sex.Horizontal = true
	s.born = newDateEntry(registry.Date{})
	s.born.OnChanged = func(string) { s.onPlaceTyped() }
	s.place = widget.NewEntry()
	s.place.PlaceHolder = lang.L("Name of the municipality or foreign state")
	s.place.OnChanged = func(string) { s.onPlaceTyped() }
	s.places = newSelect(nil, nil)
	s.places.PlaceHolder = lang.L("Type the birth date and the place")
	for _, e := range []*widget.Entry{s.surname, s.name, s.born, s.place} {
		e.OnSubmitted = func(string) { s.onCompute() }
	}
	s.compute = widget.NewButtonWithIcon(lang.L("Compute"), theme.ConfirmIcon(), s.onCompute)
	s.compute.Importance = widget.HighImportance
	s.computed = &widget.Label{Selectable: true, TextStyle: fyne.TextStyle{Monospace: true}, Wrapping: fyne.TextWrapWord}

	s.code = widget.NewEntry()
	s.code.PlaceHolder = "RSSMRA80A01H501U"
	s.code.OnSubmitted = func(string) { s.onCheck() }
	s.check = widget.NewButtonWithIcon(lang.L("Check and decode"), theme.SearchIcon(), s.onCheck)
	s.checked = &widget.Label{TextStyle: fyne.TextStyle{Bold: true}, Wrapping: fyne.TextWrapWord}
	s.decoded = &widget.Label{Selectable: true, Wrapping: fyne.TextWrapWord}

	computeForm := container.NewVBox(
		&widget.Label{Text: lang.L("Compute from the personal data"), TextStyle: fyne.TextStyle{Bold: true}},
		container.NewGridWithColumns(2, labelled(lang.L("Surname"), s.surname), labelled(lang.L("Name"), s.name)),
		container.NewGridWithColumns(2, labelled(lang.L("Sex"), s.sex), labelled(lang.L("Birth date"), s.born)),
		container.NewGridWithColumns(2, labelled(lang.L("Birth place"), s.place), labelled(lang.L("Place in force at the birth date"), s.places)),
		container.NewHBox(s.compute),
		s.computed,
		&widget.Label{Text: lang.L("The code computed is a help: only the Revenue Agency issues codes, and an omocode cannot be computed. Nothing in the register is changed."),
			Importance: widget.LowImportance, Wrapping: fyne.TextWrapWord},
	)
	checkForm := container.NewVBox(
		&widget.Label{Text: lang.L("Check and decode a codice fiscale"), TextStyle: fyne.TextStyle{Bold: true}},
		container.NewBorder(nil, nil, nil, s.check, s.code),
		s.checked,
		s.decoded,
	)
	return container.NewVScroll(container.NewPadded(container.NewVBox(computeForm, widget.NewSeparator(), checkForm)))
}

// focus puts the cursor in the surname, where a computation starts.
func (s *cfCalcScreen) focus() {
	if c := fyne.CurrentApp().Driver().CanvasForObject(s.surname); c != nil {
		c.Focus(s.surname)
	}
}

// onPlaceTyped lists the places of the name typed in force at the birth
// date (any date while the birth date is not complete), the first chosen.
func (s *cfCalcScreen) onPlaceTyped() {
	var on registry.Date
	if d, err := registry.ParseItalianDate(strings.TrimSpace(s.born.Text)); err == nil {
		on = d
	}
	text := strings.TrimSpace(s.place.Text)
	s.found = nil
	if p, ok := registry.LookupPlace(strings.ToUpper(text), on); ok && len(text) == 4 {
		s.found = []registry.Place{p}
	} else if len(text) >= 2 {
		s.found = registry.FindPlaces(text, on)
	}
	if len(s.found) > cfPlaceChoices {
		s.found = s.found[:cfPlaceChoices]
	}
	options := make([]string, len(s.found))
	for i, p := range s.found {
		options[i] = placeChoice(p)
	}
	s.places.SetOptions(options)
	if len(options) > 0 {
		s.places.SetSelectedIndex(0)
	} else {
		s.places.ClearSelected()
	}
}

// placeChoice names a place in the list: "Anagni (FR) · A269".
func placeChoice(p registry.Place) string {
	name := registry.TitleCase(p.Name)
	if p.Province != "" {
		name += " (" + p.Province + ")"
	}
	return name + " · " + p.Code
}

// onCompute computes the code from the data typed.
func (s *cfCalcScreen) onCompute() {
	code, err := s.computeCode()
	if err != nil {
		s.computed.Importance = widget.DangerImportance
		s.computed.SetText(userMessage(err))
		return
	}
	s.computed.Importance = widget.SuccessImportance
	s.computed.SetText(lang.L("Codice fiscale: {{.CF}}", map[string]any{"CF": code}))
}

func (s *cfCalcScreen) computeCode() (string, error) {
	if strings.TrimSpace(s.surname.Text) == "" {
		return "", fault.New(fault.Invalid, "The surname must contain at least one letter", nil)
	}
	if strings.TrimSpace(s.name.Text) == "" {
		return "", fault.New(fault.Invalid, "The name must contain at least one letter", nil)
	}
	var sex registry.Sex
	switch s.sex.Selected {
	case sexName(registry.Male):
		sex = registry.Male
	case sexName(registry.Female):
		sex = registry.Female
	default:
		return "", fault.New(fault.Invalid, "Choose the sex", nil)
	}
	born, err := parseDateField(s.born, lang.L("Birth date"), false)
	if err != nil {
		return "", err
	}
	if born.After(s.today()) {
		return "", fault.New(fault.Invalid, "The birth date is in the future", nil)
	}
	i := s.places.SelectedIndex()
	if i < 0 || i >= len(s.found) {
		if strings.TrimSpace(s.place.Text) == "" {
			return "", fault.New(fault.Invalid, "Type the birth place", nil)
		}
		return "", fault.New(fault.Invalid, "No municipality or foreign state of that name was in force on {{.Date}}", map[string]any{"Date": born.Italian()})
	}
	return registry.ComputeCF(s.surname.Text, s.name.Text, sex, born, s.found[i].Code)
}

// onCheck checks the code typed and says what it holds.
func (s *cfCalcScreen) onCheck() {
	info, err := registry.DecodeCF(s.code.Text, s.today())
	if err != nil {
		s.checked.Importance = widget.DangerImportance
		s.checked.SetText(lang.L("Not valid: {{.Reason}}", map[string]any{"Reason": userMessage(err)}))
		s.decoded.SetText("")
		return
	}
	s.checked.Importance = widget.SuccessImportance
	s.checked.SetText(lang.L("Valid codice fiscale: {{.CF}}", map[string]any{"CF": info.Code}))
	place := placeName(info.PlaceCode, info.BirthDate, "")
	if !info.PlaceKnown {
		place = lang.L("code {{.Code}}, in none of the lists of municipalities and foreign states", map[string]any{"Code": info.PlaceCode})
	}
	lines := []string{
		lang.L("Sex") + ": " + sexName(info.Sex),
		lang.L("Birth date") + ": " + info.BirthDate.Italian(),
		lang.L("Birth place") + ": " + place,
	}
	if info.Omocode {
		lines = append(lines, lang.L("Omocode: yes; the base code is {{.Base}}", map[string]any{"Base": info.Base}))
	} else {
		lines = append(lines, lang.L("Omocode: no"))
	}
	s.decoded.SetText(strings.Join(lines, "\n"))
}
