package central

import (
	"bytes"
	"cmp"
	"embed"
	"encoding/json"
	"errors"
	"html/template"
	"image/png"
	"io/fs"
	"net/http"
	"net/url"
	"strings"
	"sync"
	ttemplate "text/template"
	"text/template/parse"
	"time"

	"github.com/skip2/go-qrcode"

	"sportello/assets"
	"sportello/certificate"
	"sportello/fault"
	"sportello/registry"
	"sportello/store"
)

// The web pages sportellod serves on the office network, in Italian, with
// plain HTML, CSS and JavaScript and nothing from outside: the waiting-room
// board (any browser or smart TV), the kiosk, the citizen's "where is my
// ticket" page and the public verification of a certificate's seal. Each
// page is rendered on the server with what it shows, so it reads right
// before (or without) its script; the scripts follow the queue's events.

//go:embed web
var webFiles embed.FS

// VerifyRequest asks whether a seal (the text of a certificate's QR code)
// is genuine.
type VerifyRequest struct {
	Text string `json:"text"`
}

// SealView is what a genuine seal certifies: exactly its own fields.
type SealView struct {
	Number    string     `json:"number"`
	Types     []SealType `json:"types"`
	Surname   string     `json:"surname"`
	Name      string     `json:"name"`
	CF        string     `json:"cf"`
	BirthDate string     `json:"birth_date"` // YYYY-MM-DD
	IssueDate string     `json:"issue_date"`
	Use       string     `json:"use"`
	UseText   string     `json:"use_text"` // as printed: "Si rilascia per uso ..."
	KeyID     string     `json:"key_id"`
	// Annulled says, for a certificate a registrar annulled, when and why
	// ("Certificato annullato il 27/11/2026 (motivo)"); "" otherwise.
	Annulled string `json:"annulled,omitempty"`
}

// SealType is a certificate type the seal names.
type SealType struct {
	Code int    `json:"code"`
	Name string `json:"name"`
}

// VerifyResponse answers a genuine seal; a false one is an ErrorBody.
type VerifyResponse struct {
	Valid bool     `json:"valid"`
	Seal  SealView `json:"seal"`
}

// webPages renders the pages.
type webPages struct {
	s     *Server
	pages *template.Template
}

// webRoutes adds the pages and their files.
func (s *Server) webRoutes() {
	p := &webPages{s: s, pages: template.Must(template.New("").Funcs(template.FuncMap{
		"date": italianDate, "clock": clock, "join": strings.Join,
		"brand": func() string { return cmp.Or(s.Municipality, "Sportello del Comune") },
	}).ParseFS(webFiles, "web/pages/*.html"))}
	static, err := fs.Sub(webFiles, "web/static")
	if err != nil {
		panic(err)
	}
	s.mux.HandleFunc("GET /board", p.handleBoard)
	s.mux.HandleFunc("GET /kiosk", p.handleKiosk)
	s.mux.HandleFunc("GET /ticket/{uid}", p.handleTicket)
	s.mux.HandleFunc("GET /ticket/{uid}/qr.png", p.handleTicketQR)
	s.mux.HandleFunc("GET /verify", p.handleVerifyPage)
	s.mux.HandleFunc("POST /verify", p.handleVerifyPage)
	s.mux.HandleFunc("POST /v1/verify", p.handleVerify)
	s.mux.HandleFunc("POST /device/enrol", p.handleDeviceEnrol)
	files := http.StripPrefix("/web/", http.FileServerFS(static))
	s.mux.HandleFunc("GET /web/", func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") { // no listings
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=300")
		files.ServeHTTP(w, r)
	})
	s.mux.HandleFunc("GET /web/fonts/{name}", handleFont)
	s.mux.HandleFunc("GET /web/it.json", p.handleItalian)
}

// fonts are the Titillium Web files the pages load, by file name.
var fonts = map[string][]byte{
	"titillium-400.ttf": assets.FontRegular,
	"titillium-600.ttf": assets.FontSemiBold,
	"titillium-700.ttf": assets.FontBold,
	"OFL.txt":           assets.FontLicence,
}

func handleFont(w http.ResponseWriter, r *http.Request) {
	data, ok := fonts[r.PathValue("name")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	if strings.HasSuffix(r.PathValue("name"), ".ttf") {
		w.Header().Set("Content-Type", "font/ttf")
	}
	w.Header().Set("Cache-Control", "public, max-age=86400")
	http.ServeContent(w, r, r.PathValue("name"), time.Time{}, bytes.NewReader(data))
}

// italian is the Italian of every message key, from the desk's
// translations, so a page or the server's command line says in Italian what
// the store refused.
var italian = sync.OnceValue(loadItalian)

func loadItalian() map[string]string {
	out := map[string]string{}
	files, _ := fs.Glob(assets.Translations, assets.TranslationsDir+"/*.json")
	for _, name := range files {
		if !strings.HasSuffix(name, "it.json") {
			continue
		}
		data, err := fs.ReadFile(assets.Translations, name)
		if err != nil {
			continue
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(data, &m) != nil {
			continue
		}
		for k, raw := range m {
			var s string
			var plural struct{ Other string }
			if json.Unmarshal(raw, &s) == nil {
				out[k] = s
			} else if json.Unmarshal(raw, &plural) == nil && plural.Other != "" {
				out[k] = plural.Other
			}
		}
	}
	return out
}

// say is the Italian of a message key with its arguments; an unknown key
// reads as the generic error.
func (p *webPages) say(key string, args map[string]any) string {
	text, ok := Italian(key, args)
	if !ok {
		return "Si è verificato un errore: riprovi o si rivolga al personale"
	}
	return text
}

// Italian is the Italian of a message key (fault's, the store's) with its
// arguments filled in; ok is false for a key with no translation, whose
// text is then the key itself, filled in.
func Italian(key string, args map[string]any) (text string, ok bool) {
	text, ok = italian()[key]
	if !ok {
		text = key
	}
	t, err := ttemplate.New("").Option("missingkey=zero").Parse(text)
	if err != nil || !hasActions(t) {
		return text, ok
	}
	var b strings.Builder
	if t.Execute(&b, args) != nil {
		return text, ok
	}
	return b.String(), ok
}

func hasActions(t *ttemplate.Template) bool {
	for _, n := range t.Tree.Root.Nodes {
		if n.Type() != parse.NodeText {
			return true
		}
	}
	return false
}

// sayError is the Italian of an error a page shows.
func (p *webPages) sayError(err error) string {
	key, args := fault.Message(err)
	return p.say(key, args)
}

func (p *webPages) handleItalian(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=300")
	writeJSON(w, http.StatusOK, italian())
}

// render writes a page; a template failure is the server's fault.
func (p *webPages) render(w http.ResponseWriter, r *http.Request, status int, page string, data any) {
	var b bytes.Buffer
	if err := p.pages.ExecuteTemplate(&b, page, data); err != nil {
		p.s.log.Error("render page", "page", page, "err", err)
		http.Error(w, "Si è verificato un errore", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; form-action 'self'; frame-ancestors 'none'")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// boardPage is what the board shows before its script takes over.
type boardPage struct {
	Status  BoardStatus
	Last    *BoardTicket
	Counter map[string]string // names by code
	Initial template.JS       // the status for the script
	Now     time.Time
	Problem string
}

// CounterName is how the board names a counter.
func (b boardPage) CounterName(code string) string {
	if name, ok := b.Counter[code]; ok {
		return name
	}
	if code == "" {
		return ""
	}
	return "Sportello " + code
}

func (p *webPages) handleBoard(w http.ResponseWriter, r *http.Request) {
	if !p.needDevice(w, r, store.DeviceBoard) {
		return
	}
	page := boardPage{Now: p.s.now(), Counter: map[string]string{}}
	st, err := boardStatus(r.Context(), p.s)
	if err != nil {
		p.s.log.Error("board", "err", err)
		page.Problem = p.sayError(err)
	}
	page.Status = st
	for _, c := range st.Counters {
		page.Counter[c.Code] = c.Name
	}
	if len(st.LastCalls) > 0 {
		page.Last = &st.LastCalls[0]
	}
	data, _ := json.Marshal(st)
	page.Initial = template.JS(data)
	p.render(w, r, http.StatusOK, "board.html", page)
}

// kioskPage lists the services open now.
type kioskPage struct {
	Services []BoardService
	Problem  string
}

func (p *webPages) handleKiosk(w http.ResponseWriter, r *http.Request) {
	if !p.needDevice(w, r, store.DeviceKiosk) {
		return
	}
	var page kioskPage
	st, err := boardStatus(r.Context(), p.s)
	if err != nil {
		p.s.log.Error("kiosk", "err", err)
		page.Problem = p.sayError(err)
	}
	for _, sv := range st.Services {
		if sv.Open {
			page.Services = append(page.Services, sv)
		}
	}
	p.render(w, r, http.StatusOK, "kiosk.html", page)
}

// ticketPage is the citizen's view of a ticket.
type ticketPage struct {
	UID     string
	Ticket  TicketView
	Problem string
	Lost    bool // given before a restore from a backup, and not given back
	Now     time.Time
}

func (p *webPages) handleTicket(w http.ResponseWriter, r *http.Request) {
	page := ticketPage{UID: r.PathValue("uid"), Now: p.s.now()}
	v, err := ticketView(r.Context(), p.s, page.UID)
	if err != nil {
		status := http.StatusInternalServerError
		switch {
		case errors.Is(err, errTicketLost):
			status, page.Lost = http.StatusGone, true
		case fault.Code(err) == fault.NotFound:
			status = http.StatusNotFound
		default:
			p.s.log.Error("ticket page", "err", err)
		}
		page.Problem = p.sayError(err)
		page.UID = ""
		p.render(w, r, status, "ticket.html", page)
		return
	}
	page.Ticket = v
	p.render(w, r, http.StatusOK, "ticket.html", page)
}

// handleTicketQR is the QR code of the ticket's page, which the kiosk
// shows for a phone to follow the ticket.
func (p *webPages) handleTicketQR(w http.ResponseWriter, r *http.Request) {
	uid := r.PathValue("uid")
	if _, err := ticketView(r.Context(), p.s, uid); err != nil {
		http.NotFound(w, r)
		return
	}
	link := url.URL{Scheme: "http", Host: r.Host, Path: "/ticket/" + uid}
	if r.TLS != nil {
		link.Scheme = "https"
	}
	code, err := qrcode.New(link.String(), qrcode.Medium)
	if err != nil {
		p.s.log.Error("ticket qr", "err", err)
		http.Error(w, "Si è verificato un errore", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=86400")
	png.Encode(w, code.Image(240))
}

// verifyPage is the verification form and its result.
type verifyPage struct {
	Text    string
	Seal    *SealView
	Problem string
}

// verify checks a seal against the desk keys the server trusts and its
// register of certificates.
func (p *webPages) verify(r *http.Request, text string) (SealView, error) {
	s, err := p.s.store.VerifySeal(r.Context(), text)
	if err != nil {
		return SealView{}, err
	}
	v := SealView{Number: s.Number, Surname: s.Surname, Name: s.Name, CF: s.CF, BirthDate: s.BirthDate.String(),
		IssueDate: s.IssueDate.String(), Use: string(s.Use), UseText: s.Use.Wording(), KeyID: s.KeyID}
	for _, t := range s.Types {
		v.Types = append(v.Types, SealType{Code: int(t), Name: t.Name()})
	}
	at, reason, annulled, err := p.s.store.Annulment(r.Context(), s.Number)
	if err != nil {
		return SealView{}, err
	}
	if annulled {
		v.Annulled = certificate.AnnulNote(at, reason)
	}
	return v, nil
}

func (p *webPages) handleVerifyPage(w http.ResponseWriter, r *http.Request) {
	var page verifyPage
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, MaxSimpleBytes)
		if err := r.ParseForm(); err != nil {
			page.Problem = "Il testo è troppo lungo per essere un sigillo"
			p.render(w, r, http.StatusBadRequest, "verify.html", page)
			return
		}
		page.Text = strings.TrimSpace(r.PostForm.Get("text"))
		v, err := p.verify(r, page.Text)
		if err != nil {
			if fault.Code(err) == fault.Internal {
				p.s.log.Error("verify", "err", err)
			}
			page.Problem = p.sayError(err)
		} else {
			page.Seal = &v
		}
	}
	p.render(w, r, http.StatusOK, "verify.html", page)
}

func (p *webPages) handleVerify(w http.ResponseWriter, r *http.Request) {
	var req VerifyRequest
	if !decode(w, r, MaxSimpleBytes, &req) {
		return
	}
	v, err := p.verify(r, req.Text)
	if err != nil {
		var f *fault.Error
		if errors.As(err, &f) && f.Code == fault.NotFound {
			// An unknown key is a refusal of the seal, not a missing page.
			writeError(w, http.StatusBadRequest, ErrorBody{Code: fault.Invalid, Message: f.Message, Args: f.Args})
			return
		}
		p.s.writeFault(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, VerifyResponse{Valid: true, Seal: v})
}

// italianDate writes a YYYY-MM-DD date as dd/mm/yyyy.
func italianDate(s string) string {
	d, err := registry.ParseDate(s)
	if err != nil {
		return s
	}
	return d.Italian()
}

// clock is the time of day in Rome.
func clock(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(registry.Rome).Format("15:04")
}
