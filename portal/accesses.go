package portal

import (
	"net/http"
	"strings"

	"sportello/access"
	"sportello/registry"
)

// Who viewed the citizen's record: the access log of their own record,
// newest first. The staff are named as "the municipality's staff" with
// the purpose they gave, not by username: the citizen learns that and why
// the record was read, the office answers for who.

// maxAccessRows bounds the page.
const maxAccessRows = 200

type accessRow struct {
	At, Who, Purpose string
}

func (p *Portal) handleAccesses(w http.ResponseWriter, r *http.Request) {
	c, err := p.citizen(r)
	if err != nil {
		p.problem(w, r, http.StatusInternalServerError, err)
		return
	}
	if c == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	entries, err := p.st.AccessLog(r.Context(), access.LogFilter{Subject: c.session.PersonUID, Limit: maxAccessRows})
	if err != nil {
		p.problem(w, r, statusOf(err), err)
		return
	}
	pg := p.newPage(r, c)
	pg.Title = pg.T.L("Who viewed your record")
	var rows []accessRow
	for _, e := range entries {
		row := accessRow{At: e.At.In(registry.Rome).Format("02/01/2006 15:04"), Purpose: pg.T.purposeName(e.Purpose)}
		switch {
		case e.Operator == onlineOperator(c.session.PersonUID):
			row.Who = pg.T.L("You, online")
		case strings.HasPrefix(e.Operator, "online:"):
			row.Who = pg.T.L("A member of your family, online")
		default:
			row.Who = pg.T.L("The municipality's staff")
		}
		rows = append(rows, row)
	}
	pg.Data = rows
	p.render(w, http.StatusOK, "accesses.html", pg)
}

func (t *tr) purposeName(p access.Purpose) string {
	switch p {
	case access.PurposeCounter, access.PurposeCertificate, access.PurposeUpdate, access.PurposeOffice, access.PurposeElectoral, access.PurposeOnline:
		return t.L("purpose." + string(p))
	}
	return string(p)
}
