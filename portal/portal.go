// Package portal is the citizens' online desk that sportellod serves on a
// listener of its own: sign-in with SPID or CIE (the relying party of their
// OpenID Connect profile), and what a signed-in citizen may see of the
// register. Its pages are rendered on the server and work without
// JavaScript; every string goes through the desk's translations.
package portal

import (
	"bytes"
	"cmp"
	"context"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strings"
	"sync/atomic"
	"time"

	"sportello/certificate"
	"sportello/fault"
	"sportello/printing"
	"sportello/store"
)

//go:embed web
var webFiles embed.FS

// ProviderConfig is an identity provider the portal offers (portal_providers).
type ProviderConfig struct {
	Name   string `mapstructure:"name"`   // in the sign-in link: /login/{name}
	Issuer string `mapstructure:"issuer"` // its entity id / issuer URL
	Label  string `mapstructure:"label"`  // what the sign-in button says
}

// Config is the portal's deployment configuration.
type Config struct {
	URL       string           // portal_url: public base URL, also the relying party's client_id
	Providers []ProviderConfig // portal_providers
	Contacts  []string         // portal_contacts: published in the relying party's metadata
	// AuthorityHints (portal_authority_hints) name the federation's
	// intermediates or trust anchor above the portal, in its entity
	// configuration, as the SPID/CIE federation's onboarding asks.
	AuthorityHints []string
	// TrustAnchors (portal_trust_anchors) are the federations' anchors a
	// provider's entity configuration must chain to; none: a provider's
	// self-signed configuration is trusted as its TLS certificate is.
	TrustAnchors []string
	// TrustedProxies (portal_trusted_proxies) are the reverse proxies, as
	// addresses or CIDR prefixes, whose X-Forwarded-For names the caller.
	TrustedProxies []string
	Municipality   string // the municipality's title, on every page
	Site           Site   // the municipality's name, arms and contacts, on every page
	// Office is the municipality as online certificates name it (its
	// cadastral code, name and office); Letterhead what they print under
	// it; Registrar (portal_registrar) the name printed under "L'Ufficiale
	// d'Anagrafe", "Sportello online" when empty.
	Office     certificate.Municipality
	Letterhead printing.Letterhead
	Registrar  string
	Demo       bool // adds the demonstration identity provider (serve --demo)
	Log        *slog.Logger
	// HTTPClient calls the providers; nil is a client with short timeouts.
	HTTPClient *http.Client
	// Sender sends guests the codes that prove their email or mobile
	// (queue_guest.go); nil: only signed-in citizens book online.
	Sender Sender
	// GPD (pagopa_gpd_url, pagopa_tax_code, pagopa_api_key) creates the
	// debt positions of the bollo; nil: a certificate that owes the bollo
	// is refused online. PaymentSegregation (pagopa_segregation_code) is
	// the portal's segregation code in the notice numbers; PaymentPoll
	// (pagopa_poll_interval) how often pending payments are read back.
	GPD                *GPD
	PaymentIBAN        string // pagopa_iban: the municipality's account the bollo is paid into
	PaymentSegregation int
	PaymentPoll        time.Duration
}

// Portal is the online desk.
type Portal struct {
	cfg       Config
	base      *url.URL
	secure    bool // cookies Secure and HSTS: everywhere but plain HTTP on loopback
	st        *store.Store
	log       *slog.Logger
	pages     *template.Template
	keys      *keyring
	providers map[string]*provider
	order     []string // provider names as configured
	demo      *OP      // the demonstration provider, with Config.Demo only
	demoGPD   *demoGPD // the demonstration's pagoPA, with Config.Demo and no GPD only
	client    *http.Client
	limits    *limiter
	views     *viewLog
	pageLimit int // requests a minute per address: pageRate
	proxies   []netip.Prefix
	mux       *http.ServeMux
	clock     atomic.Pointer[func() time.Time] // time.Now; tests move it
	ctx       context.Context                  // lives as long as the portal, for key set fetches
}

// Session timeouts: an idle session ends after idleTimeout, any session
// after absoluteTimeout.
const (
	idleTimeout     = 20 * time.Minute
	absoluteTimeout = 4 * time.Hour
	loginTimeout    = 10 * time.Minute // from the redirect to the provider's answer
)

// DemoProvider is the name of the demonstration provider (serve --demo).
const DemoProvider = "demo"

var providerName = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,30}$`)

// New builds the portal on st: it checks the configuration and makes the
// relying party's keys on first start. ctx bounds the portal's life (its
// background fetches of providers' keys).
func New(ctx context.Context, st *store.Store, cfg Config) (*Portal, error) {
	base, err := url.Parse(strings.TrimRight(cfg.URL, "/"))
	if err != nil || base.Host == "" || base.RawQuery != "" || base.Fragment != "" || (base.Scheme != "https" && base.Scheme != "http") {
		return nil, fmt.Errorf("portal_url %q is not an absolute http(s) URL", cfg.URL)
	}
	if base.Path != "" {
		return nil, fmt.Errorf("portal_url %q: the portal is served at the root of its host, without a path", cfg.URL)
	}
	if base.Scheme == "http" && !loopbackHost(base.Hostname()) {
		return nil, fmt.Errorf("portal_url %q: plain http only on loopback (127.0.0.1, ::1, localhost)", cfg.URL)
	}
	cfg.Site.Municipality = cmp.Or(cfg.Site.Municipality, cfg.Municipality)
	p := &Portal{cfg: cfg, base: base, secure: base.Scheme == "https", st: st, log: cmp.Or(cfg.Log, slog.Default()),
		providers: map[string]*provider{}, client: cfg.HTTPClient, limits: newLimiter(), views: &viewLog{st: st}, pageLimit: pageRate, mux: http.NewServeMux(),
		ctx: ctx}
	p.setClock(time.Now)
	if p.client == nil {
		p.client = &http.Client{Timeout: 10 * time.Second}
	}
	for _, tp := range cfg.TrustedProxies {
		prefix, err := netip.ParsePrefix(tp)
		if err != nil {
			addr, aerr := netip.ParseAddr(tp)
			if aerr != nil {
				return nil, fmt.Errorf("portal_trusted_proxies: %q is not an address or a prefix", tp)
			}
			prefix = netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen())
		}
		p.proxies = append(p.proxies, prefix.Masked())
	}
	for _, pc := range cfg.Providers {
		switch {
		case !providerName.MatchString(pc.Name):
			return nil, fmt.Errorf("portal_providers: name %q: lower-case letters, digits and '-' only", pc.Name)
		case pc.Name == DemoProvider && cfg.Demo:
			return nil, fmt.Errorf("portal_providers: the name %q is the demonstration's", pc.Name)
		case p.providers[pc.Name] != nil:
			return nil, fmt.Errorf("portal_providers: %q twice", pc.Name)
		}
		iss, err := url.Parse(pc.Issuer)
		if err != nil || iss.Host == "" || (iss.Scheme != "https" && !(iss.Scheme == "http" && loopbackHost(iss.Hostname()))) {
			return nil, fmt.Errorf("portal_providers: %s: issuer %q is not an https URL", pc.Name, pc.Issuer)
		}
		p.providers[pc.Name] = &provider{cfg: pc}
		p.order = append(p.order, pc.Name)
	}
	if p.keys, err = loadKeyring(ctx, st); err != nil {
		return nil, err
	}
	go p.keys.reloadEvery(ctx, p.log)
	p.pages = template.Must(template.New("").Funcs(template.FuncMap{"join": strings.Join}).ParseFS(webFiles, "web/pages/*.html"))
	if cfg.Demo {
		p.mountDemo()
		p.mountDemoPayments()
	}
	p.routes()
	if p.cfg.GPD != nil {
		go p.pollPayments(ctx)
	}
	return p, nil
}

func (p *Portal) now() time.Time { return (*p.clock.Load())() }

func (p *Portal) setClock(now func() time.Time) { p.clock.Store(&now) }

// URL is the portal's public base URL, without a final slash.
func (p *Portal) URL() string { return p.base.String() }

// Handler serves the portal.
func (p *Portal) Handler() http.Handler { return p.guard(p.mux) }

func (p *Portal) routes() {
	static, err := fs.Sub(webFiles, "web/static")
	if err != nil {
		panic(err)
	}
	files := http.FileServerFS(static)
	p.mux.HandleFunc("GET /static/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		http.StripPrefix("/static/", files).ServeHTTP(w, r)
	})
	p.mux.HandleFunc("GET /static/fonts/{name}", handleFont)
	p.mux.HandleFunc("GET /static/bootstrap-italia/{name}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=300")
		if serveGzipped(w, r, "web/static/bootstrap-italia/"+r.PathValue("name")) {
			return
		}
		http.StripPrefix("/static/", files).ServeHTTP(w, r)
	})
	p.mux.HandleFunc("GET /arms.png", p.handleArms)
	p.mux.HandleFunc("GET /accessibilita", p.handleAccessibility)
	p.mux.HandleFunc("GET /{$}", p.handleHome)
	p.mux.HandleFunc("GET /lang/{code}", p.handleLanguage)
	p.mux.HandleFunc("GET /.well-known/openid-federation", p.handleEntityConfiguration)
	p.mux.HandleFunc("GET /oidc/jwks.json", p.handleJWKS)
	p.mux.HandleFunc("GET /login/{name}", p.limited(signInRate, p.handleLogin))
	p.mux.HandleFunc("GET /oidc/callback", p.limited(signInRate, p.handleCallback))
	p.mux.HandleFunc("POST /logout", p.handleLogout)
	p.mux.HandleFunc("GET /record", p.handleRecord)
	p.mux.HandleFunc("GET /record/accesses", p.handleAccesses)
	p.mux.HandleFunc("GET /certificates", p.handleCertificates)
	p.mux.HandleFunc("POST /certificates", p.handleIssue)
	p.mux.HandleFunc("POST /certificates/declaration", p.handleDeclaration)
	p.mux.HandleFunc("GET /documents", p.handleDocuments)
	p.mux.HandleFunc("GET /documents/{number}", p.handleDocument)
	p.mux.HandleFunc("GET /payments/{iupd}", p.handlePayment)
	p.mux.HandleFunc("GET /payments/{iupd}/avviso.pdf", p.handleNoticePDF)
	p.mux.HandleFunc("GET /social", p.handleSocial)
	p.mux.HandleFunc("POST /social", p.handleAskSocial)
	p.queueRoutes()
	p.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p.problem(w, r, http.StatusNotFound, fault.New(fault.NotFound, "This page does not exist", nil))
	})
}

// guard bounds every request and adds the headers every answer carries.
func (p *Portal) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; connect-src 'self'; media-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		// same-origin, not no-referrer: under no-referrer Chromium sends
		// "Origin: null" with the portal's own forms, which checkForm
		// refuses (the sign-out failed in a real browser).
		h.Set("Referrer-Policy", "same-origin")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if p.secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		if !p.limits.allow(p.clientIP(r), p.pageLimit, p.now()) {
			h.Set("Retry-After", "60")
			p.problem(w, r, http.StatusTooManyRequests, fault.New(fault.Forbidden, "Too many requests: please wait a minute and try again", nil))
			return
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
		}
		next.ServeHTTP(w, r)
	})
}

// maxFormBytes bounds a form the portal reads.
const maxFormBytes = 16 << 10

// limited applies a tighter rate to the routes that start or end a sign-in.
func (p *Portal) limited(rate int, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !p.limits.allow(p.clientIP(r)+" "+r.Pattern, rate, p.now()) {
			w.Header().Set("Retry-After", "60")
			p.problem(w, r, http.StatusTooManyRequests, fault.New(fault.Forbidden, "Too many requests: please wait a minute and try again", nil))
			return
		}
		h(w, r)
	}
}

// page is what every page template gets.
type page struct {
	T            *tr
	Title        string
	Municipality string
	Site         Site
	Nav          []navLink // the sections in the header, for a signed-in citizen
	Demo         bool
	Session      *citizen // nil when no one is signed in
	CSRF         string
	Path         string // of the page, for the language links
	Problem      string
	Data         any
}

// newPage starts the data of a page for the request.
func (p *Portal) newPage(r *http.Request, c *citizen) page {
	pg := page{T: newTr(pickLanguage(r)), Municipality: p.cfg.Site.Municipality, Site: p.cfg.Site, Nav: navFor(r.URL.Path, c != nil),
		Demo: p.cfg.Demo, Session: c, Path: r.URL.Path}
	if c != nil {
		pg.CSRF = c.session.CSRF
	}
	return pg
}

// render writes a page; a template failure is the server's fault.
func (p *Portal) render(w http.ResponseWriter, status int, name string, pg page) {
	var b bytes.Buffer
	if err := p.pages.ExecuteTemplate(&b, name, pg); err != nil {
		p.log.Error("portal: render page", "page", name, "err", err)
		http.Error(w, "Si è verificato un errore", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(b.Bytes())
}

// problem answers a page that says what went wrong; an internal error is
// logged whole and shown as the generic message.
func (p *Portal) problem(w http.ResponseWriter, r *http.Request, status int, err error) {
	if fault.Code(err) == fault.Internal {
		p.log.Error("portal", "path", r.URL.Path, "err", err)
		status = http.StatusInternalServerError
	}
	var c *citizen
	if status != http.StatusTooManyRequests { // a flood costs no database reads
		c, _ = p.citizen(r)
	}
	pg := p.newPage(r, c)
	pg.Problem = pg.T.Error(err)
	pg.Title = pg.T.L("Something is wrong")
	p.render(w, status, "problem.html", pg)
}

// statusOf is the HTTP status of a domain error.
func statusOf(err error) int {
	switch fault.Code(err) {
	case fault.NotFound:
		return http.StatusNotFound
	case fault.Invalid:
		return http.StatusBadRequest
	case fault.Forbidden:
		return http.StatusForbidden
	case fault.Conflict:
		return http.StatusConflict
	}
	return http.StatusInternalServerError
}

func (p *Portal) handleLanguage(w http.ResponseWriter, r *http.Request) {
	code := r.PathValue("code")
	if code != "it" && code != "en" {
		p.problem(w, r, http.StatusNotFound, fault.New(fault.NotFound, "This page does not exist", nil))
		return
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: code, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true,
		Secure: p.secure, SameSite: http.SameSiteLaxMode})
	next := r.URL.Query().Get("next")
	if !localPath(next) {
		next = "/"
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// localPath reports whether next is a path of this site ("/x", never
// "//host" or "/\host", which browsers read as another site).
func localPath(next string) bool {
	return strings.HasPrefix(next, "/") && !strings.HasPrefix(next, "//") && !strings.HasPrefix(next, "/\\") && !strings.ContainsAny(next, "\r\n")
}

// loopbackHost reports whether host names the machine itself.
func loopbackHost(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// clientIP is the caller's address: the connection's, or, when the
// connection comes from a trusted proxy, the last address of
// X-Forwarded-For that is not one of the proxies.
func (p *Portal) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil || !p.trustedProxy(addr) {
		return host
	}
	hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
	for i := len(hops) - 1; i >= 0; i-- {
		hop, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			return host // a forged or broken header: the proxy is the caller
		}
		if !p.trustedProxy(hop) {
			return hop.String()
		}
	}
	return host
}

func (p *Portal) trustedProxy(a netip.Addr) bool {
	a = a.Unmap()
	for _, pr := range p.proxies {
		if pr.Contains(a) {
			return true
		}
	}
	return false
}

// providerList is the providers in the order the sign-in page shows them.
func (p *Portal) providerList() []ProviderConfig {
	var out []ProviderConfig
	for _, name := range p.order {
		out = append(out, p.providers[name].cfg)
	}
	return out
}

var errNoProvider = fault.New(fault.NotFound, "This way of signing in is not offered", nil)

func (p *Portal) provider(name string) (*provider, error) {
	pr, ok := p.providers[name]
	if !ok {
		return nil, errNoProvider
	}
	return pr, nil
}
