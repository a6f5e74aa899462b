package desk

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
)

func TestRecordColumns(t *testing.T) {
	left := canvas.NewRectangle(nil)
	left.SetMinSize(fyne.NewSize(300, 400))
	right := canvas.NewRectangle(nil)
	right.SetMinSize(fyne.NewSize(280, 200))
	l := &recordColumns{}
	c := container.New(l, left, right)

	c.Resize(fyne.NewSize(1000, 400))
	if left.Position().Y != right.Position().Y || right.Position().X <= left.Position().X {
		t.Errorf("wide pane: halves at %v and %v, want side by side", left.Position(), right.Position())
	}
	if h := c.MinSize().Height; h != 400 {
		t.Errorf("wide pane: min height %v, want the taller half's 400", h)
	}

	c.Resize(fyne.NewSize(600, 400))
	if right.Position().X != 0 || right.Position().Y < 400 {
		t.Errorf("narrow pane: right half at %v, want below the left one", right.Position())
	}
	if left.Size().Width != 600 || right.Size().Width != 600 {
		t.Errorf("narrow pane: widths %v and %v, want the full 600", left.Size().Width, right.Size().Width)
	}
	if h := c.MinSize().Height; h < 600 {
		t.Errorf("narrow pane: min height %v, want both halves' heights", h)
	}
}
