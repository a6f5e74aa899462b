package desk

import (
	"fmt"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// chartKind is how a chart draws its values.
type chartKind int

const (
	barChart  chartKind = iota // one bar per value
	lineChart                  // a point per value, joined by lines
)

// chart is a small chart drawn with Fyne's canvas: a title, one bar or
// point per value with its label below, and the largest value written at
// the top so the scale can be read. It shows whatever SetData last gave.
type chart struct {
	widget.BaseWidget
	kind  chartKind
	title string
	unit  string // of the values, shown with the largest: "min"; "" for counts

	// Touched on the UI goroutine only.
	labels []string
	values []float64
}

func newChart(kind chartKind, title, unit string) *chart {
	c := &chart{kind: kind, title: title, unit: unit}
	c.ExtendBaseWidget(c)
	return c
}

// SetData replaces the values and their labels (the same number of each).
func (c *chart) SetData(labels []string, values []float64) {
	c.labels, c.values = labels, values
	c.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (c *chart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{chart: c, title: canvas.NewText(c.title, theme.Color(theme.ColorNameForeground)),
		scale: canvas.NewText("", theme.Color(theme.ColorNamePlaceHolder)), axis: canvas.NewLine(theme.Color(theme.ColorNameSeparator)),
		yAxis: canvas.NewLine(theme.Color(theme.ColorNameSeparator)), zero: canvas.NewText("0", theme.Color(theme.ColorNamePlaceHolder)),
		yName: canvas.NewText(c.axisName(), theme.Color(theme.ColorNamePlaceHolder))}
	r.title.TextStyle = fyne.TextStyle{Bold: true}
	r.zero.TextSize, r.yName.TextSize = theme.CaptionTextSize(), theme.CaptionTextSize()
	r.build()
	return r
}

// chartRenderer keeps one shape per value: bars for a bar chart, points and
// the segments between them for a line chart.
type chartRenderer struct {
	chart    *chart
	title    *canvas.Text
	scale    *canvas.Text // the largest value
	axis     *canvas.Line
	yAxis    *canvas.Line // the values' axis, 0 at its foot and the largest at its head
	zero     *canvas.Text
	yName    *canvas.Text // what the values are: "minuti", "biglietti"
	bars     []*canvas.Rectangle
	points   []*canvas.Circle
	segments []*canvas.Line
	labels   []*canvas.Text
	objects  []fyne.CanvasObject
}

// build makes the shapes for the chart's current data.
func (r *chartRenderer) build() {
	c := r.chart
	fill := theme.Color(theme.ColorNamePrimary)
	text := theme.Color(theme.ColorNameForeground)
	r.bars, r.points, r.segments, r.labels = nil, nil, nil, nil
	r.objects = []fyne.CanvasObject{r.title, r.scale, r.axis, r.yAxis, r.zero, r.yName}
	for i := range c.values {
		switch c.kind {
		case barChart:
			b := canvas.NewRectangle(fill)
			r.bars = append(r.bars, b)
			r.objects = append(r.objects, b)
		case lineChart:
			if i > 0 {
				s := canvas.NewLine(fill)
				s.StrokeWidth = 2
				r.segments = append(r.segments, s)
				r.objects = append(r.objects, s)
			}
			p := canvas.NewCircle(fill)
			r.points = append(r.points, p)
			r.objects = append(r.objects, p)
		}
		label := ""
		if i < len(c.labels) {
			label = c.labels[i]
		}
		t := canvas.NewText(label, text)
		t.TextSize = theme.CaptionTextSize()
		t.Alignment = fyne.TextAlignCenter
		r.labels = append(r.labels, t)
		r.objects = append(r.objects, t)
	}
	r.scale.Text = ""
	if top := maxValue(c.values); top > 0 {
		r.scale.Text = formatValue(top, c.unit)
	}
	r.scale.TextSize = theme.CaptionTextSize()
}

// maxValue is the largest value; NaN (no data) counts for nothing.
func maxValue(vs []float64) float64 {
	top := 0.0
	for _, v := range vs {
		if !math.IsNaN(v) {
			top = math.Max(top, v)
		}
	}
	return top
}

// axisName says what the values are, beside the values' axis.
func (c *chart) axisName() string {
	if c.unit == "min" {
		return lang.L("minutes")
	}
	return lang.L("tickets")
}

func formatValue(v float64, unit string) string {
	s := fmt.Sprintf("%.0f", v)
	if v < 10 && v != math.Trunc(v) {
		s = fmt.Sprintf("%.1f", v)
	}
	if unit != "" {
		s += " " + unit
	}
	return s
}

// Layout places the title on top, the labels at the bottom and the values
// between, scaled to the largest.
func (r *chartRenderer) Layout(size fyne.Size) {
	pad := theme.Padding()
	titleSize := r.title.MinSize()
	r.title.Move(fyne.NewPos(pad, 0))
	r.title.Resize(titleSize)
	labelHeight := theme.CaptionTextSize() + 2*pad
	top := titleSize.Height + pad
	bottom := size.Height - labelHeight
	plot := max(bottom-top, 0)
	// The values' axis on the left: its name above it, the largest value
	// at its head, 0 at its foot.
	scaleSize, zeroSize, nameSize := r.scale.MinSize(), r.zero.MinSize(), r.yName.MinSize()
	left := pad + max(scaleSize.Width, zeroSize.Width) + pad
	r.yName.Move(fyne.NewPos(max(size.Width-nameSize.Width-pad, titleSize.Width+2*pad), 0))
	r.yName.Resize(nameSize)
	r.scale.Move(fyne.NewPos(left-pad-scaleSize.Width, top-scaleSize.Height/2))
	r.scale.Resize(scaleSize)
	r.zero.Move(fyne.NewPos(left-pad-zeroSize.Width, bottom-zeroSize.Height/2))
	r.zero.Resize(zeroSize)
	r.yAxis.Position1, r.yAxis.Position2 = fyne.NewPos(left, top), fyne.NewPos(left, bottom)
	r.axis.Position1, r.axis.Position2 = fyne.NewPos(left, bottom), fyne.NewPos(size.Width-pad, bottom)
	n := len(r.chart.values)
	if n == 0 {
		return
	}
	slot := (size.Width - left - pad) / float32(n)
	peak := maxValue(r.chart.values)
	height := func(v float64) float32 {
		if peak <= 0 || v <= 0 || math.IsNaN(v) {
			return 0
		}
		return float32(v/peak) * plot
	}
	for i, v := range r.chart.values {
		x := left + slot*float32(i)
		centre := x + slot/2
		r.labels[i].Move(fyne.NewPos(x, bottom+pad/2))
		r.labels[i].Resize(fyne.NewSize(slot, labelHeight-pad))
		h := height(v)
		gap := math.IsNaN(v) // no data: nothing drawn, not a zero
		switch r.chart.kind {
		case barChart:
			r.bars[i].Hidden = gap
			w := slot * 0.7
			r.bars[i].Move(fyne.NewPos(centre-w/2, bottom-h))
			r.bars[i].Resize(fyne.NewSize(w, h))
		case lineChart:
			const radius = 3
			r.points[i].Move(fyne.NewPos(centre-radius, bottom-h-radius))
			r.points[i].Resize(fyne.NewSize(2*radius, 2*radius))
			r.points[i].Hidden = gap
			if i > 0 {
				prev := r.chart.values[i-1]
				r.segments[i-1].Hidden = gap || math.IsNaN(prev)
				r.segments[i-1].Position1 = fyne.NewPos(centre-slot, bottom-height(prev))
				r.segments[i-1].Position2 = fyne.NewPos(centre, bottom-h)
			}
		}
	}
}

// MinSize is room for a readable chart.
func (r *chartRenderer) MinSize() fyne.Size {
	return fyne.NewSize(240, 160)
}

// Refresh rebuilds the shapes when the data changed and lays them out.
func (r *chartRenderer) Refresh() {
	r.build()
	r.Layout(r.chart.Size())
	canvas.Refresh(r.chart)
}

// Objects implements fyne.WidgetRenderer.
func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objects }

// Destroy implements fyne.WidgetRenderer.
func (r *chartRenderer) Destroy() {}
