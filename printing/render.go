package printing

import (
	"context"
	"errors"
	"fmt"
	"image"
	"image/draw"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/klippa-app/go-pdfium"
	"github.com/klippa-app/go-pdfium/requests"
	"github.com/klippa-app/go-pdfium/webassembly"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// renderer draws PDF pages in-process with PDFium compiled to WebAssembly
// and run by wazero: pure Go, the same code on Linux and Windows, no
// system library. It is started once, on first use (compiling the 6 MB
// module takes seconds; wazero's compilation cache in the user's cache
// folder brings later starts down to a fraction of a second), and
// reused. One PDFium instance serves every caller, one at a time: PDFium
// is not safe for concurrent use.
type renderer struct {
	once sync.Once
	err  error

	mu   sync.Mutex // guards inst
	inst pdfium.Pdfium
}

// pages is the process's one renderer.
var pages renderer

// StartRenderer starts the in-process renderer ahead of the first
// preview, so the clerk does not wait for it; call it in a goroutine.
func StartRenderer() error {
	return pages.start()
}

func (r *renderer) start() error {
	r.once.Do(func() {
		rc := wazero.NewRuntimeConfig().WithCoreFeatures(api.CoreFeaturesV2 | experimental.CoreFeaturesExceptionHandling)
		if dir, err := os.UserCacheDir(); err == nil {
			if cache, err := wazero.NewCompilationCacheWithDir(filepath.Join(dir, "sportello", "pdfium")); err == nil {
				rc = rc.WithCompilationCache(cache)
			}
		}
		pool, err := webassembly.Init(webassembly.Config{
			MinIdle: 1, MaxIdle: 1, MaxTotal: 1, ReuseWorkers: true,
			// No folder is mounted: PDFs come in as bytes.
			FSConfig:      wazero.NewFSConfig(),
			RuntimeConfig: rc,
		})
		if err != nil {
			r.err = fmt.Errorf("start the PDF renderer: %w", err)
			return
		}
		r.inst, err = pool.GetInstance(time.Minute)
		if err != nil {
			r.err = fmt.Errorf("start the PDF renderer: %w", err)
		}
	})
	return r.err
}

// with runs f on the renderer's instance with the PDF open, one caller
// at a time.
func (r *renderer) with(ctx context.Context, pdf []byte, f func(inst pdfium.Pdfium, page requests.Page) error) error {
	if err := r.start(); err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	doc, err := r.inst.OpenDocument(&requests.OpenDocument{File: &pdf})
	if err != nil {
		return fmt.Errorf("open the PDF: %w", err)
	}
	defer r.inst.FPDF_CloseDocument(&requests.FPDF_CloseDocument{Document: doc.Document})
	return f(r.inst, requests.Page{ByIndex: &requests.PageByIndex{Document: doc.Document, Index: 0}})
}

// firstPage renders page 1 of a PDF at dpi, on a white background.
func (r *renderer) firstPage(ctx context.Context, pdf []byte, dpi int) (image.Image, error) {
	var img *image.RGBA
	err := r.with(ctx, pdf, func(inst pdfium.Pdfium, page requests.Page) error {
		res, err := inst.RenderPageInDPI(&requests.RenderPageInDPI{Page: page, DPI: dpi})
		if err != nil {
			return fmt.Errorf("render preview: %w", err)
		}
		defer res.Cleanup() // the pixels live in the module's memory
		src := res.Result.Image
		if src == nil {
			return errors.New("render preview: no picture")
		}
		img = image.NewRGBA(src.Bounds())
		draw.Draw(img, img.Bounds(), image.White, image.Point{}, draw.Src)
		draw.Draw(img, img.Bounds(), src, src.Bounds().Min, draw.Over)
		return nil
	})
	return img, err
}
