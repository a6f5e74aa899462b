package portal

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"sportello/access"
	"sportello/certificate"
	"sportello/fault"
	"sportello/printing"
	"sportello/registry"
	"sportello/store"
)

// Certificates online: the types the register certifies for the citizen
// and, as ANPR does online, for the members of their own family in the
// register (never the people of a convivenza), with the desk's rules
// (certificate.Refusals and Check), the use and the exemption chosen as at
// the desk, no diritti di segreteria, the number series of the online
// channel and the server's online seal. The free self-declaration comes
// first. Until the bollo can be paid online (pagoPA), only uses exempt
// from the bollo are offered.
//
// Routes, each for a signed-in citizen only (anyone else is sent to the
// home page before a body is read):
//   - GET /certificates?person=UID: the types for the citizen or a family
//     member (another person: not found); the view goes to the access log.
//   - POST /certificates: issues one; the session's CSRF token and the
//     portal's origin are checked (the body bounded by guard), the person
//     must be of the family, the form's one-time id makes a form sent twice
//     one certificate. It changes the register: one certificate.
//   - POST /certificates/declaration: the citizen's own pre-filled
//     self-declaration, as a PDF; changes nothing but the access log.
//   - GET /documents, GET /documents/{number}: "My requests and documents",
//     the certificates issued to or asked for by the citizen, downloadable
//     again (another's: not found); each download goes to the access log.

// certificatesData is the certificates page of one person.
type certificatesData struct {
	People  []personTab
	Person  personTab
	Declare []typeRow // the types of the self-declaration: the citizen's own only
	Types   []typeRow
	Payable bool // the bollo can be paid online through pagoPA
}

type personTab struct {
	UID, Name     string
	Self, Current bool
}

// typeRow is a certificate type as offered: its choices of use and
// exemption, or why the register refuses it and what to ask instead.
type typeRow struct {
	FormID      string // one-time id of the type's form: each form issues once
	Code        int
	Title       string
	Refused     string
	Instead     []string
	ExemptByLaw bool
	Choices     []choice
}

type choice struct{ Value, Label string }

// onlineTypes are the types offered online: all but the historical
// residence at a date, which needs the date asked about (at the desk).
func onlineTypes() []certificate.Type {
	return slices.DeleteFunc(certificate.Types(), func(t certificate.Type) bool { return t == certificate.ResidenceHistoryAtDate })
}

// choicesFor are the use and exemption pairs a type may be issued with
// online: any use for civil-status facts (exempt by law), otherwise the
// uses of each exemption of table 39 but 99 (which needs a reason and a
// law the clerk checks).
func choicesFor(t certificate.Type) []choice {
	var out []choice
	if t.CivilStatusFact() {
		for _, u := range certificate.Uses() {
			out = append(out, choice{Value: string(u) + ":0", Label: u.Label()})
		}
		return out
	}
	for _, e := range certificate.Exemptions() {
		if e.Code == certificate.OtherExemption {
			continue
		}
		for _, u := range certificate.UsesFor(e.Code) {
			out = append(out, choice{Value: string(u) + ":" + strconv.Itoa(e.Code), Label: u.Label() + " - " + e.Caption})
		}
	}
	return out
}

// parseChoice reads a choice back into the request's use and duty.
func parseChoice(t certificate.Type, v string) (certificate.Use, certificate.StampDuty, bool) {
	if !slices.ContainsFunc(choicesFor(t), func(c choice) bool { return c.Value == v }) {
		return "", certificate.StampDuty{}, false
	}
	use, code, _ := strings.Cut(v, ":")
	n, _ := strconv.Atoi(code)
	return certificate.Use(use), certificate.StampDuty{Exemption: n}, true
}

// family is the signed-in citizen's record and the people they may ask
// certificates for, the citizen first.
func (p *Portal) family(r *http.Request, c *citizen) (registry.Record, []registry.Person, error) {
	rec, err := p.st.Record(r.Context(), c.personID)
	if err != nil {
		return rec, nil, err
	}
	return rec, store.FamilyOf(rec), nil
}

// member is the person of uid among people ("" is the citizen).
func member(people []registry.Person, uid string) (registry.Person, error) {
	if uid == "" {
		return people[0], nil
	}
	i := slices.IndexFunc(people, func(p registry.Person) bool { return p.UID == uid })
	if i < 0 {
		return registry.Person{}, store.ErrNotFamily()
	}
	return people[i], nil
}

// signedIn is the request's citizen, or nil once it has answered: sent
// home when no one is signed in, an error page on a failure.
func (p *Portal) signedIn(w http.ResponseWriter, r *http.Request) *citizen {
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return nil
	}
	if c == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
	}
	return c
}

// logView writes a view of personUID's data by the citizen to the access
// log; nothing is shown when it cannot be written.
func (p *Portal) logView(r *http.Request, c *citizen, personUID string) error {
	return p.views.log(r.Context(), store.AccessView{Operator: onlineOperator(c.session.PersonUID), PersonUID: personUID, Purpose: access.PurposeOnline})
}

func (p *Portal) handleCertificates(w http.ResponseWriter, r *http.Request) {
	c := p.signedIn(w, r)
	if c == nil {
		return
	}
	rec, people, err := p.family(r, c)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	who, err := member(people, r.URL.Query().Get("person"))
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	if who.ID != rec.Person.ID {
		if rec, err = p.st.Record(r.Context(), who.ID); err != nil {
			p.problem(w, r, statusOf(err), err)
			return
		}
	}
	if err := p.logView(r, c, who.UID); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	pg := p.newPage(r, c)
	pg.Title = pg.T.L("Certificates")
	pg.Data = p.certificatesView(pg.T, rec, people, who)
	p.render(w, http.StatusOK, "certificates.html", pg)
}

func (p *Portal) certificatesView(t *tr, rec registry.Record, people []registry.Person, who registry.Person) certificatesData {
	d := certificatesData{Payable: p.cfg.GPD != nil}
	for i, per := range people {
		tab := personTab{UID: per.UID, Name: strings.TrimSpace(per.Surname + " " + per.Name), Self: i == 0, Current: per.ID == who.ID}
		d.People = append(d.People, tab)
		if tab.Current {
			d.Person = tab
		}
	}
	today := registry.DateOf(p.now().In(registry.Rome))
	for _, ty := range onlineTypes() {
		req := certificate.Request{Types: []certificate.Type{ty}, On: today}
		row := typeRow{Code: int(ty), Title: ty.Title(), ExemptByLaw: req.ExemptByLaw()}
		if refusals := certificate.Refusals(rec, req); len(refusals) > 0 {
			row.Refused = t.Error(refusals[0].Err)
			for _, in := range refusals[0].Instead {
				row.Instead = append(row.Instead, in.Title())
			}
			d.Types = append(d.Types, row)
			continue
		}
		row.Choices, row.FormID = choicesFor(ty), randomHex(16)
		if p.cfg.GPD != nil {
			row.Choices = append(row.Choices, paidChoices(ty)...)
		}
		d.Types = append(d.Types, row)
		if d.Person.Self && rec.Person.BirthDate.AgeOn(today) >= certificate.MarriageAge {
			d.Declare = append(d.Declare, typeRow{Code: int(ty), Title: ty.Title()})
		}
	}
	return d
}

// form reads the person and the type of a posted certificates form; the
// caller checked the form.
func formPersonType(r *http.Request, people []registry.Person) (registry.Person, certificate.Type, error) {
	who, err := member(people, r.PostForm.Get("person"))
	if err != nil {
		return who, 0, err
	}
	n, err := strconv.Atoi(r.PostForm.Get("type"))
	if err != nil || !certificate.Type(n).Valid() || !slices.Contains(onlineTypes(), certificate.Type(n)) {
		return who, 0, fault.New(fault.Invalid, "The certificate type is required", nil)
	}
	return who, certificate.Type(n), nil
}

func (p *Portal) handleIssue(w http.ResponseWriter, r *http.Request) {
	c := p.signedIn(w, r)
	if c == nil {
		return
	}
	if !p.checkForm(r, c) {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	_, people, err := p.family(r, c)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	who, ty, err := formPersonType(r, people)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	use, duty, ok := parseChoice(ty, r.PostForm.Get("choice"))
	if !ok && p.cfg.GPD != nil {
		if use, ok = parsePaid(ty, r.PostForm.Get("choice")); ok {
			p.requestPayment(w, r, c, who, certificate.Request{Types: []certificate.Type{ty}, Use: use})
			return
		}
	}
	if !ok {
		p.problem(w, r, http.StatusBadRequest, fault.New(fault.Invalid, "Choose the use of the certificate", nil))
		return
	}
	if err := p.logView(r, c, who.UID); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	lh := p.cfg.Letterhead
	issued, err := p.st.IssueOnline(r.Context(), store.OnlineInput{FormID: r.PostForm.Get("form"), RequesterID: c.personID, PersonID: who.ID,
		Request:      certificate.Request{Types: []certificate.Type{ty}, Use: use, Duty: duty},
		Municipality: p.cfg.Office, Settings: certificate.DefaultSettings, Signer: p.signer()},
		func(d certificate.Document) ([]byte, error) { return printing.Certificate(d, lh) })
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	http.Redirect(w, r, "/documents?issued="+issued.Number, http.StatusSeeOther)
}

// signer is the name printed under "L'Ufficiale d'Anagrafe" on online
// certificates (portal_registrar).
func (p *Portal) signer() string {
	if s := strings.TrimSpace(p.cfg.Registrar); s != "" {
		return s
	}
	return "Sportello online"
}

func (p *Portal) handleDeclaration(w http.ResponseWriter, r *http.Request) {
	c := p.signedIn(w, r)
	if c == nil {
		return
	}
	if !p.checkForm(r, c) {
		p.problem(w, r, http.StatusForbidden, errForm)
		return
	}
	rec, people, err := p.family(r, c)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	who, ty, err := formPersonType(r, people)
	if err == nil && who.ID != rec.Person.ID {
		err = fault.New(fault.Forbidden, "A self-declaration is signed by the person it is about: each adult member of the family makes their own", nil)
	}
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	decl, err := certificate.SelfDeclaration(rec, certificate.Request{Types: []certificate.Type{ty}}, certificate.Declarant{},
		registry.DateOf(p.now().In(registry.Rome)), p.cfg.Office)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	if err := p.logView(r, c, who.UID); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	pdf, err := printing.SelfDeclaration(decl)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	servePDF(w, "autocertificazione-"+ty.Slug()+".pdf", pdf)
}

// documentsData is "My requests and documents".
type documentsData struct {
	Issued string // the number just issued, to say so
	Docs   []documentRow
}

type documentRow struct {
	Number, Title, Person, IssuedAt string
	Requested                       bool
}

func (p *Portal) handleDocuments(w http.ResponseWriter, r *http.Request) {
	c := p.signedIn(w, r)
	if c == nil {
		return
	}
	docs, err := p.st.OnlineDocuments(r.Context(), c.session.PersonUID)
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	pg := p.newPage(r, c)
	pg.Title = pg.T.L("My requests and documents")
	var d documentsData
	issued := r.URL.Query().Get("issued")
	for _, doc := range docs {
		req := certificate.Request{Types: doc.Types}
		at, _ := store.ParseTimestamp(doc.IssuedAt)
		d.Docs = append(d.Docs, documentRow{Number: doc.Number, Title: req.Title(), Person: strings.TrimSpace(doc.Surname + " " + doc.Name),
			IssuedAt: at.In(registry.Rome).Format("02/01/2006 15:04"), Requested: doc.Requested})
		if doc.Number == issued {
			d.Issued = issued
		}
	}
	pg.Data = d
	p.render(w, http.StatusOK, "documents.html", pg)
}

func (p *Portal) handleDocument(w http.ResponseWriter, r *http.Request) {
	c := p.signedIn(w, r)
	if c == nil {
		return
	}
	reg, subject, err := p.st.OnlineDocumentOf(r.Context(), c.session.PersonUID, strings.TrimSuffix(r.PathValue("number"), ".pdf"))
	if fault.Code(err) == fault.Invalid {
		err = fault.New(fault.NotFound, "This page does not exist", nil)
	}
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	if err := p.logView(r, c, subject); err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	servePDF(w, "certificato-"+reg.Number+".pdf", reg.PDF)
}

func servePDF(w http.ResponseWriter, name string, pdf []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", name))
	h.Set("Cache-Control", "no-store")
	w.Write(pdf)
}
