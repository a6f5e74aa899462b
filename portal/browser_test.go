package portal

import (
	"context"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The pages in a real browser: Debian's chromium, headless, driven through
// the DevTools protocol by chromedp. One browser serves the whole test
// binary; each test gets a browser context of its own (its own cookies).
// Without chromium the tests skip (make test installs it).

var chromium struct {
	once   sync.Once
	ctx    context.Context // the browser's
	cancel func()
	err    string
}

// stopChromium ends the shared browser, from TestMain.
func stopChromium() {
	if chromium.cancel != nil {
		chromium.cancel()
	}
}

// newTab is a tab in a fresh browser context (no cookies), 1280 px wide.
func newTab(t *testing.T) context.Context {
	t.Helper()
	chromium.once.Do(func() {
		path, err := exec.LookPath("chromium")
		if err != nil {
			chromium.err = "chromium is not installed (make test installs it)"
			return
		}
		dir, err := osMkdirTemp()
		if err != nil {
			chromium.err = err.Error()
			return
		}
		opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.UserDataDir(dir),
			chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
			chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
			chromedp.Flag("disable-sync", true), chromedp.Flag("disable-dev-shm-usage", true)}
		alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
		ctx, cancelCtx := chromedp.NewContext(alloc)
		if err := chromedp.Do(ctx); err != nil { // starts the browser
			cancelCtx()
			cancelAlloc()
			chromium.err = "chromium does not start: " + err.Error()
			return
		}
		chromium.ctx, chromium.cancel = ctx, func() { cancelCtx(); cancelAlloc() }
	})
	if chromium.err != "" {
		if os.Getenv("CI") != "" {
			t.Fatal(chromium.err)
		}
		t.Skip(chromium.err)
	}
	ctx, cancel := chromedp.NewContext(chromium.ctx, chromedp.WithNewBrowserContext())
	ctx, cancelTimeout := context.WithTimeout(ctx, 30*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel() })
	do(t, ctx, chromedp.EmulateViewport(1280, 900))
	return ctx
}

// eval evaluates a JavaScript expression in the tab and returns its value.
func eval[T any](t *testing.T, ctx context.Context, expr string, opts ...chromedp.EvaluateOption) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, opts...))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return v
}

// do runs actions in the tab.
func do(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

// axeSource is axe-core's script (testdata/axe-core, MPL-2.0).
var axeSource = sync.OnceValues(func() (string, error) {
	b, err := os.ReadFile("testdata/axe-core/axe.min.js")
	return string(b), err
})

// axeViolations runs axe-core's WCAG 2.0/2.1 A and AA rules on the tab's
// page and lists what fails, one line a rule and element.
func axeViolations(t *testing.T, ctx context.Context) []string {
	t.Helper()
	src, err := axeSource()
	if err != nil {
		t.Fatal(err)
	}
	eval[bool](t, ctx, src+";true")
	return eval[[]string](t, ctx, `axe.run(document, {runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
			.then(r => r.violations.flatMap(v => v.nodes.map(n => v.id + ": " + v.help + ": " + n.target.join(" ") + " " + n.html.slice(0, 120))))`,
		chromedp.EvalAwaitPromise)
}

// checkPage fails the test for every axe-core violation of the open page.
func checkPage(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	for _, v := range axeViolations(t, ctx) {
		t.Errorf("%s: %s", name, v)
	}
}

// location is the path of the tab's page.
func location(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `location.pathname`)
}

// pageText is the visible text of the tab's page.
func pageText(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `document.body.innerText`)
}

// journeyStep is one thing a citizen does in the browser; after each, the
// page they are on must pass axe-core. Steps are added in journey order.
type journeyStep struct {
	name string
	do   func(t *testing.T, ctx context.Context, p *Portal)
}

// clickAndWait clicks the element sel finds and waits for the next page's
// body.
func clickAndWait(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(markPage, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible), waitNewPage)
}

// markPage marks the open page; waitNewPage waits for another page to load.
var (
	markPage    = discard(chromedp.Evaluate[string](`document.documentElement.dataset.seen = "1"`))
	waitNewPage = chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		// The old page's JavaScript context goes away under the poll:
		// its errors mean "not yet".
		check := chromedp.Evaluate[bool](`document.readyState === "complete" && document.documentElement.dataset.seen !== "1"`)
		for {
			if done, err := check(ctx, t); err == nil && done {
				return nil
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
)

func discard[T any](a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := a(ctx, t)
		return chromedp.Void{}, err
	}
}

var journey = []journeyStep{
	{"home", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, chromedp.Navigate(p.URL()+"/"))
		if !strings.Contains(pageText(t, ctx), "Comune di Anagni") {
			t.Fatal("the home page does not name the municipality")
		}
	}},
	{"sign-in: the provider's chooser", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, clickAndWait(`a[href="/login/demo"]`))
		if got := location(t, ctx); !strings.HasPrefix(got, "/demo-idp/") {
			t.Fatalf("the sign-in led to %s, not the provider", got)
		}
	}},
	{"signed in: the greeting", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, clickAndWait(`.portal-citizens button`))
		if got := location(t, ctx); got != "/" {
			t.Fatalf("after the provider: %s", got)
		}
		if !strings.Contains(pageText(t, ctx), "Buongiorno") && !strings.Contains(pageText(t, ctx), "Good day") {
			t.Fatalf("no greeting: %q", pageText(t, ctx))
		}
	}},
	{"the record", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, clickAndWait(`.portal-nav a[href="/record"]`))
		cf := eval[string](t, ctx, `[...document.querySelectorAll(".portal-data dd")][2].innerText`)
		if len(cf) != 16 {
			t.Fatalf("the record shows no codice fiscale: %q", cf)
		}
	}},
	{"who viewed the record", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, clickAndWait(`.portal-nav a[href="/record/accesses"]`))
		rows := eval[int](t, ctx, `document.querySelectorAll("main tbody tr").length`)
		if rows == 0 {
			t.Fatal("the view of the record just made is not listed")
		}
	}},
	{"certificates", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, chromedp.Navigate(p.URL()+"/certificates"))
		if n := eval[int](t, ctx, `document.querySelectorAll("main form").length`); n == 0 {
			t.Fatal("the certificates page offers no form")
		}
	}},
	{"the bollo's pagoPA notice", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, discard(chromedp.Evaluate[bool](`(() => {
			const f = document.querySelector('main form input[name="type"][value="8"]').form;
			f.closest("details").open = true;
			f.querySelector("select").value = "private:bollo";
			return true;
		})()`)), clickAndWait(`main form input[name="type"][value="8"] ~ button`))
		code := eval[string](t, ctx, `document.getElementById("notice-code").innerText`)
		if !regexp.MustCompile(`^3\d{3}( \d{4}){3} \d{2}$`).MatchString(code) {
			t.Fatalf("the notice code is not in groups of four: %q", code)
		}
	}},
	{"the demonstration's payer", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, clickAndWait(`a[href^="/demo-pay/"]`))
		do(t, ctx, clickAndWait(`main form button`))
		if n := eval[int](t, ctx, `document.querySelectorAll('main a[href^="/documents/WEB-"]').length`); n != 1 {
			t.Fatalf("paid at the demonstration: no certificate: %q", pageText(t, ctx))
		}
	}},
	{"my requests and documents", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, chromedp.Navigate(p.URL()+"/documents"))
		if got := location(t, ctx); got != "/documents" {
			t.Fatalf("the documents page led to %s", got)
		}
	}},
	{"lines and appointments", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, clickAndWait(`.portal-nav a[href="/queue"]`))
		if got := location(t, ctx); got != "/queue" {
			t.Fatalf("the lines' page led to %s", got)
		}
	}},
	{"ask the social desk", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, chromedp.Navigate(p.URL()+"/social"))
		if n := eval[int](t, ctx, `document.querySelectorAll("main textarea").length`); n == 0 {
			t.Fatal("the social desk's page has no field for the request")
		}
	}},
	{"sign out", func(t *testing.T, ctx context.Context, p *Portal) {
		do(t, ctx, clickAndWait(`.portal-signout button`))
		do(t, ctx, chromedp.WaitVisible(chromedp.CSS(`a[href="/login/demo"]`)))
		do(t, ctx, chromedp.Navigate(p.URL()+"/record"))
		if got := location(t, ctx); got != "/" {
			t.Fatalf("after signing out the record is still at %s", got)
		}
	}},
}

// TestJourneyInABrowser walks the citizen's journey in chromium, in
// Italian on a desktop's width and in English on a phone's, and every page
// on the way passes axe-core.
func TestJourneyInABrowser(t *testing.T) {
	st := testStore(t)
	p := testPortal(t, st, Config{Demo: true})
	for _, c := range []struct {
		lang  string
		width int64
	}{{"it", 1280}, {"en", 375}} {
		t.Run(c.lang, func(t *testing.T) {
			ctx := newTab(t)
			do(t, ctx, chromedp.EmulateViewport(c.width, 800), chromedp.Navigate(p.URL()+"/lang/"+c.lang))
			for _, step := range journey {
				step.do(t, ctx, p)
				if t.Failed() {
					t.Fatalf("stopped at %q", step.name)
				}
				checkPage(t, ctx, step.name)
			}
		})
	}
}

// TestOtherPagesPassAxe checks the pages off the journey, on a desktop and
// a phone's width.
func TestOtherPagesPassAxe(t *testing.T) {
	st := testStore(t)
	p := testPortal(t, st, Config{Demo: true, Site: Site{Address: "Piazza Cavour 1, 03012 Anagni (FR)", Phone: "0775 7301",
		Email: "urp@comune.anagni.example.it", PEC: "protocollo@pec.comune.anagni.example.it", AccessibilityDate: "2026-11-30"}})
	ctx := newTab(t)
	do(t, ctx, chromedp.Navigate(p.URL()+"/lang/it"))
	for _, width := range []int64{1280, 375} {
		do(t, ctx, chromedp.EmulateViewport(width, 800))
		for _, path := range []string{"/", "/accessibilita", "/nowhere", "/login/demo"} {
			do(t, ctx, chromedp.Navigate(p.URL()+path))
			checkPage(t, ctx, path)
		}
	}
	// The check itself catches what it is for.
	do(t, ctx, chromedp.Navigate(p.URL()+"/static/bootstrap-italia/LICENSE"))
	eval[string](t, ctx, `document.documentElement.innerHTML = '<body><img src="/arms.png"><button></button><p style="color:#ccc">x</p></body>'`)
	if got := axeViolations(t, ctx); len(got) < 3 {
		t.Errorf("axe missed some of a broken page's faults: %q", got)
	}
	do(t, ctx, chromedp.Navigate(p.URL()+"/accessibilita"))
	text := pageText(t, ctx)
	for _, want := range []string{"Dichiarazione di accessibilità", "Stato di conformità", "Contenuti non accessibili",
		"Redazione della dichiarazione", "Meccanismo di feedback", "Procedura di attuazione", "urp@comune.anagni.example.it",
		"30/11/2026", "Comune di Anagni", "0775 7301", "Piazza Cavour 1"} {
		if !strings.Contains(text, want) {
			t.Errorf("the accessibility statement lacks %q", want)
		}
	}
}

// focused is what has the keyboard's focus: its tag, href or text, and
// whether it shows it (an outline or a ring).
type focused struct {
	Tag, Href, Text string
	Visible         bool
}

func tab(t *testing.T, ctx context.Context) focused {
	t.Helper()
	do(t, ctx, chromedp.KeyEvent(kb.Tab))
	return eval[focused](t, ctx, `(() => {
		const e = document.activeElement, s = getComputedStyle(e);
		return {Tag: e.tagName, Href: e.getAttribute("href") || "", Text: e.innerText || "",
			Visible: (s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== "none"};
	})()`)
}

// tabTo presses Tab until match holds of the focused element, each
// focused element showing its focus, and presses Enter there.
func tabTo(t *testing.T, ctx context.Context, what string, match func(focused) bool) {
	t.Helper()
	for range 40 {
		f := tab(t, ctx)
		if f.Tag == "BODY" {
			continue
		}
		if !f.Visible {
			t.Errorf("%s %q %s takes the focus without showing it", f.Tag, f.Text, f.Href)
		}
		if match(f) {
			// Enter follows a link, the space bar presses a button (chromedp's
			// Enter sends the key and its character: a button would hear two).
			key := kb.Enter
			if f.Tag == "BUTTON" {
				key = " "
			}
			do(t, ctx, markPage, chromedp.KeyEvent(key), waitNewPage)
			return
		}
	}
	t.Fatalf("40 presses of Tab do not reach %s", what)
}

// TestKeyboardAlone signs in, opens the record and signs out with Tab and
// Enter only.
func TestKeyboardAlone(t *testing.T) {
	st := testStore(t)
	p := testPortal(t, st, Config{Demo: true})
	ctx := newTab(t)
	do(t, ctx, chromedp.Navigate(p.URL()+"/lang/en"))
	tabTo(t, ctx, "the sign-in", func(f focused) bool { return f.Href == "/login/demo" })
	tabTo(t, ctx, "a demonstration citizen", func(f focused) bool { return f.Tag == "BUTTON" })
	if !strings.Contains(pageText(t, ctx), "Good day") {
		t.Fatal("not signed in by the keyboard")
	}
	tabTo(t, ctx, "the record", func(f focused) bool { return f.Href == "/record" })
	if location(t, ctx) != "/record" {
		t.Fatal("the record did not open")
	}
	tabTo(t, ctx, "sign out", func(f focused) bool { return f.Tag == "BUTTON" && strings.Contains(f.Text, "Sign out") })
	if !strings.Contains(pageText(t, ctx), "You have signed out") {
		t.Fatalf("not signed out by the keyboard: %s %q", location(t, ctx), pageText(t, ctx))
	}
}

// TestScreenshots writes the README's pictures of the real pages (home,
// the demonstration sign-in, the record at a desktop's width, the record
// at a phone's) to $PORTAL_SCREENSHOTS:
// PORTAL_SCREENSHOTS=docs go test -tags ci,sqlite_fts5 ./portal/ -run TestScreenshots
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("PORTAL_SCREENSHOTS")
	if dir == "" {
		t.Skip("PORTAL_SCREENSHOTS names no folder")
	}
	st := testStore(t)
	p := testPortal(t, st, Config{Demo: true, Site: Site{Address: "Piazza Cavour 1, 03012 Anagni (FR)", Phone: "0775 730 1",
		Email: "urp@comune.anagni.example.it"}})
	for _, size := range []struct {
		suffix        string
		width, height int64
	}{{"", 1280, 900}, {"-phone", 390, 844}} {
		ctx := newTab(t)
		do(t, ctx, chromedp.EmulateViewport(size.width, size.height), chromedp.Navigate(p.URL()+"/lang/it"))
		shot := func(name string) {
			png, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(dir+"/portal-"+name+size.suffix+".png", png, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if size.suffix == "" {
			shot("home")
		}
		do(t, ctx, clickAndWait(`a[href="/login/demo"]`))
		if size.suffix == "" {
			shot("sign-in")
		}
		do(t, ctx, clickAndWait(`.portal-citizens button`), chromedp.Navigate(p.URL()+"/record"))
		shot("record")
	}
}
