package portal

import (
	"net/http"
	"strings"

	"sportello/access"
	"sportello/registry"
	"sportello/store"
)

// The citizen's own record as the register holds it: personal data, the
// address, the family. Every view goes to the access log with the purpose
// "online, the person themselves", as a clerk's view goes with theirs.

// recordData is the record as the page shows it, in the page's language.
type recordData struct {
	Surname, Name, CF, Sex, BirthDate, BirthPlace, CivilStatus, Status string
	Citizenships                                                       []string
	Address, Postcode, Municipality                                    string
	Convivenza                                                         string // its name, for a member of a convivenza
	Members                                                            []memberRow
}

type memberRow struct {
	Name, Relationship, BirthDate string
	Self                          bool
}

// onlineOperator is who the access log names for a citizen's own view.
func onlineOperator(personUID string) string { return "online:" + personUID }

func (p *Portal) handleRecord(w http.ResponseWriter, r *http.Request) {
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	if c == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	ctx := r.Context()
	rec, err := p.st.Record(ctx, c.personID)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	// Logged before it is shown: a view the log cannot record is not shown.
	view := store.AccessView{Operator: onlineOperator(c.session.PersonUID), PersonUID: c.session.PersonUID, Purpose: access.PurposeOnline}
	if err := p.views.log(ctx, view); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	pg := p.newPage(r, c)
	pg.Title = pg.T.L("Your record in the register")
	pg.Data = recordView(pg.T, rec)
	p.render(w, http.StatusOK, "record.html", pg)
}

func recordView(t *tr, rec registry.Record) recordData {
	per := rec.Person
	d := recordData{Surname: per.Surname, Name: per.Name, CF: per.CF, Sex: t.label(per.Sex.Label()),
		BirthDate: italianDate(per.BirthDate), BirthPlace: t.placeName(per.BirthPlace, per.BirthDate, per.BirthPlaceName),
		CivilStatus: t.label(per.CivilStatus.Label(per.Sex)), Status: t.label(per.Status.Label(per.Sex))}
	for _, code := range per.Citizenships {
		d.Citizenships = append(d.Citizenships, t.citizenshipName(code, registry.Today()))
	}
	if rec.Address.Street != "" {
		d.Address, d.Postcode = rec.Address.Line(), rec.Address.Postcode
		d.Municipality = t.placeName(rec.Address.Place, registry.Today(), "")
	}
	d.Convivenza = rec.Family.Convivenza.Name
	for _, m := range rec.Members {
		d.Members = append(d.Members, memberRow{Name: strings.TrimSpace(m.Person.Surname + " " + m.Person.Name),
			Relationship: t.label(m.Relationship.Label(m.Person.Sex)), BirthDate: italianDate(m.Person.BirthDate),
			Self: m.Person.ID == per.ID})
	}
	return d
}
