package printing

import (
	"bytes"
	"fmt"
	"strings"
	"time"

	"codeberg.org/go-pdf/fpdf"

	"sportello/assets"
	"sportello/registry"
	"sportello/social"
)

// SocialOffice is the social desk as the citizen's papers name it, with the
// contacts to reach it.
type SocialOffice struct {
	Municipality string // "Anagni"
	Office       string // "Punto Unico di Accesso - Casa di Comunità"
	Address      string // "Piazza Cavour 1, 03012 Anagni"
	Phone        string
	Email        string
	Hours        string // "lunedì-venerdì 8:30-12:30"
}

// Receipt is what the citizen takes home after an intake: the case, the
// social worker's name and the next appointment, if any.
type Receipt struct {
	Office SocialOffice
	Case   social.Case
	Worker string              // the social worker's full name
	Next   *social.Appointment // nil when none is booked
	At     time.Time           // when it is printed
}

// requestNames are the request types as the citizen reads them.
var requestNames = map[social.RequestType]string{
	social.HomeCare:        "Assistenza domiciliare (ADI/SAD)",
	social.ResidentialCare: "Assistenza residenziale o semiresidenziale",
	social.Inclusion:       "Sostegno all'inclusione (Assegno di inclusione)",
	social.ISEEHelp:        "Aiuto per l'ISEE",
	social.RentSupport:     "Sostegno all'affitto",
	social.Disability:      "Disabilità",
	social.OtherRequest:    "Altra richiesta",
}

// documentNames are the document kinds as the citizen reads them.
var documentNames = map[social.DocumentKind]string{
	social.DocIdentity: "Documento di identità",
	social.DocISEE:     "Attestazione ISEE o DSU",
	social.DocMedical:  "Documentazione sanitaria",
	social.DocIncome:   "Documentazione sul reddito",
	social.DocRent:     "Contratto di locazione o sfratto",
	social.DocOther:    "Altro documento",
}

// CaseReceipt lays out the receipt of an intake on A4: the case number and
// date, the person, what was asked, the documents received, the next
// appointment and the office's contacts. It prints nothing of the
// assessment (issue, risks, ISEE, household, notes), so a receipt lost
// tells a stranger no more than that a request was made.
func CaseReceipt(r Receipt, lh Letterhead) ([]byte, error) {
	c := r.Case
	p := newSocialPage(r.At, r.Office, lh, "Ricevuta "+c.Number.String())
	p.pdf.SetTitle("Ricevuta della richiesta "+c.Number.String(), true)
	p.start()
	p.title("Ricevuta della richiesta", "Pratica n. "+c.Number.String())
	p.field("Presentata il", c.OpenedAt.In(registry.Rome).Format("02/01/2006 15:04"))
	p.field("Richiedente", c.PersonName)
	p.field("Richiesta", requestName(c.Type))
	if r.Worker != "" {
		p.field("Assistente sociale", r.Worker)
	}
	p.gap(3)
	p.heading("Documenti consegnati")
	if len(c.Documents) == 0 {
		p.para("Nessun documento consegnato.", "", 11)
	}
	for _, d := range c.Documents {
		p.para("- "+documentName(d.Kind)+": "+d.Name, "", 11)
	}
	p.gap(3)
	p.heading("Prossimo appuntamento")
	if r.Next == nil {
		p.para("Sarà comunicato dall'ufficio.", "", 11)
	} else {
		when := r.Next.At.In(registry.Rome)
		text := fmt.Sprintf("%s %s alle ore %s", weekdays[when.Weekday()], when.Format("02/01/2006"), when.Format("15:04"))
		if r.Next.Place != "" {
			text += ", " + r.Next.Place
		}
		p.para(text, "B", 11)
		p.para("Se non può venire, avvisi l'ufficio. All'arrivo si presenti allo sportello con questa ricevuta.", "", 10)
	}
	p.gap(3)
	p.heading("Contatti dell'ufficio")
	p.contacts()
	p.gap(4)
	p.para("Conservi questa ricevuta: il numero della pratica serve per ogni informazione. I dati sono trattati ai sensi del Regolamento (UE) 2016/679 dal Comune di "+r.Office.Municipality+" per la sola gestione della richiesta.", "", 9.5)
	return p.output("receipt pdf")
}

// ConsentForm lays out the information notice and consent to the
// processing of personal data (Reg. UE 2016/679, artt. 6, 9 and 13) for the
// person of the case to sign.
func ConsentForm(r Receipt, lh Letterhead) ([]byte, error) {
	c := r.Case
	p := newSocialPage(r.At, r.Office, lh, "Consenso "+c.Number.String())
	p.pdf.SetTitle("Informativa e consenso al trattamento dei dati personali", true)
	p.start()
	p.title("Informativa e consenso al trattamento dei dati personali", "artt. 6, 9 e 13 del Regolamento (UE) 2016/679 - pratica n. "+c.Number.String())
	m := r.Office.Municipality
	for _, text := range []string{
		"Titolare del trattamento è il Comune di " + m + ". I dati personali, compresi quelli relativi alla salute e alla condizione sociale ed economica, sono raccolti dal Punto Unico di Accesso per valutare la richiesta, definire il progetto di assistenza e attivare i servizi sociali e socio-sanitari.",
		"I dati sono trattati da assistenti sociali autorizzati, anche con strumenti informatici, e comunicati solo ai servizi coinvolti nel progetto (ASL, enti gestori, altri uffici pubblici) nei limiti di quanto necessario. Ogni accesso alla pratica è registrato.",
		"I dati sono conservati per il tempo previsto dalle norme sulla documentazione amministrativa. L'interessato può chiedere l'accesso, la rettifica, la limitazione e, nei casi previsti, la cancellazione dei dati, e può proporre reclamo al Garante per la protezione dei dati personali.",
		"Senza il consenso al trattamento dei dati relativi alla salute la richiesta non può essere valutata.",
	} {
		p.para(text, "", 10.5)
	}
	p.gap(4)
	p.para("Il/La sottoscritto/a "+c.PersonName+", letta l'informativa,", "", 11)
	p.gap(2)
	p.para("[   ]  presta il consenso            [   ]  nega il consenso", "B", 11)
	p.gap(2)
	p.para("al trattamento dei propri dati personali, compresi quelli relativi alla salute, per la richiesta n. "+c.Number.String()+".", "", 11)
	p.gap(10)
	pdf := p.pdf
	y := pdf.GetY()
	pdf.SetFont(Font, "", 11)
	pdf.CellFormat(textW/2, 6, m+", "+strings.Repeat("_", 14), "", 0, "L", false, 0, "")
	pdf.SetXY(marginX+textW/2, y)
	pdf.CellFormat(textW/2, 6, "Firma", "", 2, "C", false, 0, "")
	pdf.Ln(8)
	pdf.SetX(marginX + textW/2 + 8)
	pdf.CellFormat(textW/2-16, 6, "", "B", 1, "C", false, 0, "")
	p.gap(6)
	p.contacts()
	return p.output("consent pdf")
}

var weekdays = [...]string{"domenica", "lunedì", "martedì", "mercoledì", "giovedì", "venerdì", "sabato"}

func requestName(t social.RequestType) string {
	if n, ok := requestNames[t]; ok {
		return n
	}
	return requestNames[social.OtherRequest]
}

func documentName(k social.DocumentKind) string {
	if n, ok := documentNames[k]; ok {
		return n
	}
	return documentNames[social.DocOther]
}

// socialPage lays out the social desk's papers: the letterhead names the
// social services and the PUA instead of the registry office.
type socialPage struct {
	pdf      *fpdf.Fpdf
	office   SocialOffice
	footnote string
}

func newSocialPage(at time.Time, o SocialOffice, lh Letterhead, footnote string) *socialPage {
	pdf := NewA4(at)
	arms := lh.CoatOfArms
	if len(arms) == 0 {
		arms = assets.CoatOfArms
	}
	p := &socialPage{pdf: pdf, office: o, footnote: footnote}
	pdf.RegisterImageOptionsReader("arms", fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(arms))
	pdf.SetMargins(marginX, marginTop, marginX)
	pdf.SetAutoPageBreak(false, marginBottom)
	pdf.AliasNbPages("{nb}")
	pdf.SetFooterFunc(p.footer)
	return p
}

func (p *socialPage) start() {
	pdf := p.pdf
	pdf.AddPage()
	office := "Servizi sociali"
	if p.office.Office != "" {
		office += " - " + p.office.Office
	}
	y := letterhead(pdf, p.office.Municipality, office)
	pdf.SetTextColor(0, 0, 0)
	pdf.SetXY(marginX, y+5)
}

func (p *socialPage) footer() { pageFooter(p.pdf, p.footnote) }

func (p *socialPage) gap(h float64) { p.pdf.Ln(h) }

func (p *socialPage) title(title, sub string) {
	pdf := p.pdf
	pdf.SetFont(Font, "B", 16)
	pdf.SetTextColor(paBlue[0], paBlue[1], paBlue[2])
	pdf.MultiCell(textW, 8, strings.ToUpper(title), "", "C", false)
	pdf.SetTextColor(0, 0, 0)
	pdf.SetFont(Font, "", 10.5)
	pdf.MultiCell(textW, 6, sub, "", "C", false)
	pdf.Ln(4)
}

func (p *socialPage) heading(text string) {
	p.room(14)
	p.para(text, "B", 12)
}

// field writes a label and its value on one line, the value wrapping.
func (p *socialPage) field(label, value string) {
	pdf := p.pdf
	p.room(lineH)
	pdf.SetFont(Font, "", 11)
	pdf.CellFormat(45, lineH, label, "", 0, "L", false, 0, "")
	pdf.SetFont(Font, "B", 11)
	pdf.MultiCell(textW-45, lineH, value, "", "L", false)
}

// para writes a paragraph line by line, so it can continue on a new page.
func (p *socialPage) para(text, style string, size float64) {
	pdf := p.pdf
	pdf.SetFont(Font, style, size)
	h := lineH * size / 11
	for _, line := range pdf.SplitText(text, textW) {
		if p.room(h) {
			pdf.SetFont(Font, style, size)
		}
		pdf.CellFormat(textW, h, line, "", 1, "L", false, 0, "")
	}
	pdf.Ln(1.2)
}

// room starts a new page when h millimetres do not fit.
func (p *socialPage) room(h float64) bool {
	if p.pdf.GetY()+h <= pageH-marginBottom {
		return false
	}
	p.start()
	return true
}

// contacts lists the office's address, phone, e-mail and hours.
func (p *socialPage) contacts() {
	o := p.office
	for _, f := range [][2]string{{"Ufficio", o.Office}, {"Indirizzo", o.Address}, {"Telefono", o.Phone}, {"E-mail", o.Email}, {"Orari", o.Hours}} {
		if strings.TrimSpace(f[1]) != "" {
			p.field(f[0], f[1])
		}
	}
}

func (p *socialPage) output(what string) ([]byte, error) {
	if err := p.pdf.Error(); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	var buf bytes.Buffer
	if err := p.pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return buf.Bytes(), nil
}
