package printing

import (
	"bytes"
	"fmt"
	"strings"

	"sportello/certificate"
	"sportello/registry"
)

// art38 is the note on how a self-declaration is signed and handed in (art.
// 38 c. 3 DPR 445/2000).
const art38 = "Ai sensi dell'art. 38 del d.P.R. 28 dicembre 2000, n. 445, la dichiarazione è sottoscritta in presenza del dipendente addetto a riceverla, oppure sottoscritta e presentata o inviata insieme alla copia fotostatica non autenticata di un documento di identità del dichiarante."

// SelfDeclaration lays out a pre-filled self-declaration (dichiarazione
// sostitutiva di certificazione, art. 46 DPR 445/2000) for the citizen to
// sign, free of charge. It is the citizen's declaration, not the
// municipality's: no letterhead, number or seal. It names who declares and,
// when a parent or guardian declares (art. 5), the person it is about, and
// carries the art. 38 note on signing.
func SelfDeclaration(decl certificate.Declaration) ([]byte, error) {
	d := decl.Document
	pdf := NewA4(d.IssueDate.Time())
	pdf.SetTitle("Dichiarazione sostitutiva di certificazione", true)
	w := newWriter(pdf, d.Municipality, Letterhead{}, "Dichiarazione sostitutiva di certificazione (art. 46 d.P.R. 445/2000)", false)
	w.plain = true
	w.start()
	w.title("Dichiarazione sostitutiva di certificazione", "(art. 46 del d.P.R. 28 dicembre 2000, n. 445)")
	p := d.Person
	by := decl.By
	declarant := p.Sex
	if by.For() {
		declarant = by.Sex
	}
	// pick chooses the declarant's gender; both forms when it is not known.
	pick := func(m, f, either string) string {
		switch declarant {
		case registry.Female:
			return f
		case registry.Male:
			return m
		}
		return either
	}
	if by.For() {
		capacity := "genitore esercente la responsabilità genitoriale"
		if by.Capacity == certificate.Guardian {
			capacity = "tutore"
		}
		w.para(pick("Il sottoscritto ", "La sottoscritta ", "Il/La sottoscritto/a ")+strings.ToUpper(by.Name)+", in qualità di "+capacity+" di "+d.PersonLine+",", "", 11, "J")
	} else {
		w.para(pick("Il sottoscritto ", "La sottoscritta ", "Il/La sottoscritto/a ")+d.PersonLine+",", "", 11, "J")
	}
	w.para("consapevole delle sanzioni penali previste dall'art. 76 del d.P.R. 28 dicembre 2000, n. 445, per le ipotesi di falsità in atti e dichiarazioni mendaci, e della decadenza dai benefici prevista dall'art. 75 dello stesso decreto,", "", 11, "J")
	w.gap(1)
	w.para("DICHIARA", "B", 12, "C")
	w.gap(1)
	if by.For() {
		w.para("che "+strings.ToUpper(p.Surname+" "+p.Name)+":", "", 11, "J")
	}
	for _, f := range d.Facts {
		text := f.Declare
		if by.For() {
			text = f.Certify
		}
		w.para("- "+text, "", 11, "J")
		if f.Table != nil {
			w.table(f.Table)
		}
	}
	w.gap(3)
	w.para(pick("Dichiara inoltre di essere informato", "Dichiara inoltre di essere informata", "Dichiara inoltre di essere informato/a")+", ai sensi del Regolamento (UE) 2016/679, che i dati personali raccolti saranno trattati, anche con strumenti informatici, esclusivamente nell'ambito del procedimento per il quale la presente dichiarazione viene resa.", "", 9.5, "J")
	w.para("La presente dichiarazione è esente dall'imposta di bollo (art. 37 del d.P.R. 445/2000) e sostituisce il certificato: le pubbliche amministrazioni e i gestori di pubblici servizi sono tenuti ad accettarla.", "", 9.5, "J")
	w.para(art38, "", 9.5, "J")
	w.room(30)
	w.gap(8)
	y := pdf.GetY()
	pdf.SetFont(Font, "", 11)
	pdf.CellFormat(textW/2, 6, "Luogo e data "+strings.Repeat("_", 18), "", 0, "L", false, 0, "")
	pdf.SetXY(marginX+textW/2, y)
	pdf.CellFormat(textW/2, 6, pick("Il dichiarante", "La dichiarante", "Il/La dichiarante"), "", 2, "C", false, 0, "")
	pdf.Ln(8)
	pdf.SetX(marginX + textW/2 + 8)
	pdf.CellFormat(textW/2-16, 6, "", "B", 1, "C", false, 0, "")
	if err := pdf.Error(); err != nil {
		return nil, fmt.Errorf("self-declaration pdf: %w", err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, fmt.Errorf("self-declaration pdf: %w", err)
	}
	return buf.Bytes(), nil
}
