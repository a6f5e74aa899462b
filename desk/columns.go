package desk

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// recordColumns lays out a record's two halves side by side when the pane is
// wide enough for both, and one above the other when it is not (a narrow
// window, or the counter panel open beside the register), so that no text is
// squeezed into a column a few letters wide.
type recordColumns struct {
	// width is the width of the last layout; MinSize follows it, so the
	// scroll around the record knows how tall the chosen arrangement is.
	width float32
}

// twoColumnWidth is the narrowest pane that shows the halves side by side.
const twoColumnWidth = 820

func (l *recordColumns) side(width float32) bool { return width >= twoColumnWidth }

func (l *recordColumns) Layout(objects []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	pad := theme.Padding()
	if l.side(size.Width) {
		half := (size.Width - pad) / 2
		for i, o := range objects {
			o.Move(fyne.NewPos(float32(i)*(half+pad), 0))
			o.Resize(fyne.NewSize(half, o.MinSize().Height))
		}
		return
	}
	y := float32(0)
	for _, o := range objects {
		h := o.MinSize().Height
		o.Move(fyne.NewPos(0, y))
		o.Resize(fyne.NewSize(size.Width, h))
		y += h + pad
	}
}

func (l *recordColumns) MinSize(objects []fyne.CanvasObject) fyne.Size {
	var w, hSide, hStack float32
	for i, o := range objects {
		m := o.MinSize()
		w = max(w, m.Width)
		hSide = max(hSide, m.Height)
		hStack += m.Height
		if i > 0 {
			hStack += theme.Padding()
		}
	}
	if l.side(l.width) {
		return fyne.NewSize(w, hSide)
	}
	return fyne.NewSize(w, hStack)
}
