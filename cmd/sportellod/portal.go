package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image/png"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/spf13/viper"

	"sportello/certificate"
	"sportello/demo"
	"sportello/pagopa"
	"sportello/portal"
	"sportello/registry"
	"sportello/store"
)

// portalConfig is the citizens' online desk's part of serve's settings.
type portalConfig struct {
	Listen    string                  // portal_listen: "" serves no portal (unless --demo)
	URL       string                  // portal_url: its public base URL, the relying party's client_id
	Providers []portal.ProviderConfig // portal_providers: [{name, issuer, label}]
	Contacts  []string                // portal_contacts: in the relying party's metadata
	Hints     []string                // portal_authority_hints: the federation above the portal
	Anchors   []string                // portal_trust_anchors: the federations providers must chain to
	Proxies   []string                // portal_trusted_proxies: reverse proxies whose X-Forwarded-For counts
	Demo      bool                    // --demo: the demonstration identity provider
	// Site is the municipality's contacts and coat of arms on every page:
	// portal_address, portal_phone, portal_email, portal_pec,
	// portal_coat_of_arms (a PNG file), portal_accessibility_date.
	Site      portal.Site
	Registrar string // portal_registrar: printed under "L'Ufficiale d'Anagrafe" on online certificates
	Office    string // portal_office: the office online certificates name, "Ufficio Anagrafe" when unset
	// GPD is pagoPA's debt positions API (pagopa_gpd_url, pagopa_tax_code,
	// pagopa_api_key): nil, the bollo is not paid online (in --demo, the
	// demonstration's GPD). Segregation is pagopa_segregation_code, Poll
	// pagopa_poll_interval.
	GPD         *portal.GPD
	IBAN        string // pagopa_iban
	Segregation int
	Poll        time.Duration
}

// Defaults of a demonstration portal.
const demoPortalListen = "127.0.0.1:8421"

func loadPortalConfig(v *viper.Viper, demo bool) (portalConfig, error) {
	tls := v.GetString("tls_cert") != ""
	pc := portalConfig{Listen: v.GetString("portal_listen"), URL: v.GetString("portal_url"),
		Contacts: v.GetStringSlice("portal_contacts"), Hints: v.GetStringSlice("portal_authority_hints"),
		Anchors: v.GetStringSlice("portal_trust_anchors"), Proxies: v.GetStringSlice("portal_trusted_proxies"), Demo: demo,
		Registrar: v.GetString("portal_registrar"), Office: cmp.Or(v.GetString("portal_office"), "Ufficio Anagrafe")}
	pc.Site = portal.Site{Address: v.GetString("portal_address"), Phone: v.GetString("portal_phone"), Email: v.GetString("portal_email"),
		PEC: v.GetString("portal_pec"), AccessibilityDate: v.GetString("portal_accessibility_date")}
	if d := pc.Site.AccessibilityDate; d != "" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return portalConfig{}, fmt.Errorf("%w: portal_accessibility_date %q: scriva la data come AAAA-MM-GG", errUsage, d)
		}
	}
	if file := v.GetString("portal_coat_of_arms"); file != "" {
		arms, err := os.ReadFile(file)
		if err == nil {
			_, err = png.DecodeConfig(bytes.NewReader(arms))
		}
		if err != nil {
			return portalConfig{}, fmt.Errorf("%w: portal_coat_of_arms: %s non è un'immagine PNG leggibile (%v)", errUsage, file, err)
		}
		pc.Site.CoatOfArms = arms
	}
	if u := v.GetString("pagopa_gpd_url"); u != "" {
		tax := v.GetString("pagopa_tax_code")
		if !pagopa.ValidTaxCode(tax) {
			return portalConfig{}, fmt.Errorf("%w: pagopa_tax_code %q non è il codice fiscale numerico del Comune (11 cifre)", errUsage, tax)
		}
		if !strings.HasPrefix(u, "https://") {
			return portalConfig{}, fmt.Errorf("%w: pagopa_gpd_url %q: serve un indirizzo https://", errUsage, u)
		}
		pc.GPD = &portal.GPD{BaseURL: u, TaxCode: tax, APIKey: v.GetString("pagopa_api_key")}
		pc.Segregation, pc.Poll, pc.IBAN = v.GetInt("pagopa_segregation_code"), v.GetDuration("pagopa_poll_interval"), strings.ReplaceAll(v.GetString("pagopa_iban"), " ", "")
		if pc.Segregation < 0 || pc.Segregation > 99 {
			return portalConfig{}, fmt.Errorf("%w: pagopa_segregation_code %d: da 0 a 99", errUsage, pc.Segregation)
		}
		if pc.Poll < 0 {
			return portalConfig{}, fmt.Errorf("%w: pagopa_poll_interval non può essere negativo", errUsage)
		}
	}
	if err := v.UnmarshalKey("portal_providers", &pc.Providers); err != nil {
		return portalConfig{}, fmt.Errorf("%w: portal_providers: %v", errUsage, err)
	}
	if demo && pc.Listen == "" {
		pc.Listen = demoPortalListen
	}
	if pc.Listen != "" && !tls && !loopback(pc.Listen) {
		return portalConfig{}, fmt.Errorf("%w: senza TLS il portale ascolta solo in loopback (127.0.0.1 o ::1), non su %s", errUsage, pc.Listen)
	}
	if pc.Listen != "" && pc.URL == "" && !loopback(pc.Listen) {
		return portalConfig{}, fmt.Errorf("%w: manca portal_url, l'indirizzo pubblico del portale", errUsage)
	}
	return pc, nil
}

// startPortal serves the portal on its own listener until ctx ends; wait
// returns once it has stopped. No portal_listen: nothing to serve.
func startPortal(ctx context.Context, cfg serveConfig, st *store.Store, log *slog.Logger, stdout io.Writer) (wait func(), err error) {
	pc := cfg.Portal
	if pc.Listen == "" {
		return func() {}, nil
	}
	if pc.Demo {
		if err := seedDemo(ctx, st, cfg.Municipality, stdout); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", pc.Listen)
	if err != nil {
		return nil, fmt.Errorf("ascolto del portale su %s: %w", pc.Listen, err)
	}
	// On loopback with no portal_url, the portal is where it listens.
	url := cmp.Or(pc.URL, "http://"+ln.Addr().String())
	p, err := portal.New(ctx, st, portal.Config{URL: url, Providers: pc.Providers, Contacts: pc.Contacts, AuthorityHints: pc.Hints, TrustAnchors: pc.Anchors, TrustedProxies: pc.Proxies,
		Municipality: registry.MunicipalityTitle(cfg.Municipality), Office: onlineOffice(cfg.Municipality, pc.Office), Registrar: pc.Registrar,
		Site: pc.Site, Demo: pc.Demo, Log: log, Sender: cfg.Notify.sender(st), GPD: pc.GPD, PaymentIBAN: pc.IBAN, PaymentSegregation: pc.Segregation, PaymentPoll: pc.Poll})
	if err != nil {
		ln.Close()
		return nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	// The portal faces the internet: every request bounded in time and size.
	srv := &http.Server{Handler: p.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute, MaxHeaderBytes: 32 << 10,
		BaseContext: func(net.Listener) context.Context { return ctx }}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var err error
		if cfg.TLSCert != "" {
			err = srv.ServeTLS(ln, cfg.TLSCert, cfg.TLSKey)
		} else {
			err = srv.Serve(ln)
		}
		if err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("portal", "err", err)
		}
	}()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	demo := ""
	if pc.Demo {
		demo = " (dimostrazione: accesso con cittadini dimostrativi)"
	}
	fmt.Fprintf(stdout, "Sportello online su %s (in ascolto su %s)%s\n", p.URL(), ln.Addr(), demo)
	return func() { <-done }, nil
}

// cmdPortalKeys lists the portal's keys, or rotates them (--rotate): the
// old ones stay published two days, a running server takes the new ones
// within five minutes.
func cmdPortalKeys(args []string, stdout io.Writer) error {
	fs := newFlags("portal-keys")
	db := fs.String("db", "", "file del database del server")
	rotate := fs.Bool("rotate", false, "sostituisce le chiavi del portale")
	if err := fs.Parse(args); err != nil {
		return err
	}
	st, err := openStore(*db, false)
	if err != nil {
		return err
	}
	defer st.Close()
	ctx := context.Background()
	var keys []store.PortalKey
	if *rotate {
		keys, err = portal.RotateKeys(ctx, st)
	} else {
		keys, err = st.PortalKeys(ctx)
	}
	if err != nil {
		return err
	}
	for _, k := range keys {
		state := "in uso"
		if !k.RetiredAt.IsZero() {
			state = "ritirata, pubblicata fino al " + k.ExpiresAt.In(registry.Rome).Format("02/01/2006 15:04")
		}
		fmt.Fprintf(stdout, "%-10s %s  %s\n", k.Use, k.KID, state)
	}
	return nil
}

// demoPeople is the size of the register a demonstration starts with.
const demoPeople = 20000

// seedDemo gives a demonstration on an empty database a demo register, so
// its identity provider has citizens to offer.
func seedDemo(ctx context.Context, st *store.Store, municipality string, stdout io.Writer) error {
	n, err := st.CountPersons(ctx)
	if err != nil || n > 0 {
		return err
	}
	loaded, err := st.Load(ctx, demo.Generate(demo.Config{People: demoPeople, Seed: 1, Municipality: municipality}), nil)
	if err != nil {
		return err
	}
	if err := st.LogLoadedRegister(ctx); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Database vuoto: caricata un'anagrafe dimostrativa di %d persone\n", loaded)
	return nil
}

// onlineOffice is the municipality as online certificates name it, from its
// cadastral code (municipality).
func onlineOffice(code, office string) certificate.Municipality {
	m := certificate.Municipality{Code: strings.ToUpper(code), Name: code, Office: office}
	if p, ok := registry.LookupPlace(m.Code, registry.Today()); ok && !p.Foreign {
		m.Name = registry.TitleCase(p.Name)
	}
	return m
}
