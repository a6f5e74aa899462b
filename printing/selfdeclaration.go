package printing

import (
	"bytes"
	"fmt"
	"strings"

	"sportello/certificate"
	"sportello/registry"
)

// SelfDeclaration lays out the self-declaration (dichiarazione sostitutiva
// di certificazione, art. 46 DPR 445/2000) of the same facts as d, pre-filled
// for the citizen to sign: offered beside every certificate, free of charge.
func SelfDeclaration(d certificate.Document, lh Letterhead) ([]byte, error) {
	pdf := NewA4(d.IssueDate.Time())
	pdf.SetTitle("Dichiarazione sostitutiva di certificazione", true)
	w := newWriter(pdf, d.Municipality, lh, "Dichiarazione sostitutiva di certificazione (art. 46 d.P.R. 445/2000)", false)
	w.start()
	w.title("Dichiarazione sostitutiva di certificazione", "(art. 46 del d.P.R. 28 dicembre 2000, n. 445)")
	p := d.Person
	female := p.Sex == registry.Female
	pick := func(m, f string) string {
		if female {
			return f
		}
		return m
	}
	w.para(pick("Il sottoscritto ", "La sottoscritta ")+d.PersonLine+",", "", 11, "J")
	w.para("consapevole delle sanzioni penali previste dall'art. 76 del d.P.R. 28 dicembre 2000, n. 445, per le ipotesi di falsità in atti e dichiarazioni mendaci, e della decadenza dai benefici prevista dall'art. 75 dello stesso decreto,", "", 11, "J")
	w.gap(1)
	w.para("DICHIARA", "B", 12, "C")
	w.gap(1)
	for _, f := range d.Facts {
		w.para("- "+f.Declare, "", 11, "J")
		if f.Table != nil {
			w.table(f.Table)
		}
	}
	w.gap(3)
	w.para(pick("Dichiara inoltre di essere informato", "Dichiara inoltre di essere informata")+", ai sensi del Regolamento (UE) 2016/679, che i dati personali raccolti saranno trattati, anche con strumenti informatici, esclusivamente nell'ambito del procedimento per il quale la presente dichiarazione viene resa.", "", 9.5, "J")
	w.para("La presente dichiarazione è esente dall'imposta di bollo (art. 37 del d.P.R. 445/2000) e sostituisce il certificato: le pubbliche amministrazioni e i gestori di pubblici servizi sono tenuti ad accettarla.", "", 9.5, "J")
	w.room(30)
	w.gap(8)
	y := pdf.GetY()
	pdf.SetFont(Font, "", 11)
	pdf.CellFormat(textW/2, 6, d.Municipality.Name+", "+strings.Repeat("_", 14), "", 0, "L", false, 0, "")
	pdf.SetXY(marginX+textW/2, y)
	pdf.CellFormat(textW/2, 6, pick("Il dichiarante", "La dichiarante"), "", 2, "C", false, 0, "")
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
