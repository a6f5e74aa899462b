package desk

import (
	"context"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"sportello/queue"
	"sportello/registry"
)

// queueChannelReader reads the statistics of the channels (kiosk, from
// home, appointment) and the estimate's error; the store and the office's
// queue at a server keep them.
type queueChannelReader interface {
	QueueChannels(ctx context.Context, from, to registry.Date) (queue.ChannelReport, error)
}

// channelStats is the statistics' section of the channels: how the
// period's tickets came, bookings and no-shows per channel, and how far the
// wait the tickets were told was from the real one.
type channelStats struct {
	table    *widget.Table
	estimate *widget.Label
	rep      queue.ChannelReport // touched on the UI goroutine only
}

// channelName is a channel as the supervisor reads it.
func channelName(c queue.Channel) string {
	switch c {
	case queue.ChannelKiosk:
		return lang.L("Kiosk")
	case queue.ChannelRemote:
		return lang.L("From home")
	case queue.ChannelAppointment:
		return lang.L("Appointment")
	}
	return string(c)
}

func (c *channelStats) headers() []string {
	return []string{lang.L("Channel"), lang.L("Tickets"), lang.L("Not shown"), lang.L("Bookings"), lang.L("Booked online")}
}

func (c *channelStats) ui() fyne.CanvasObject {
	columns := len(c.headers())
	c.table = widget.NewTableWithHeaders(
		func() (int, int) { return len(c.rep.Channels), columns },
		func() fyne.CanvasObject { return widget.NewLabel("Sportello sociale - PUA") },
		func(id widget.TableCellID, o fyne.CanvasObject) { o.(*widget.Label).SetText(c.cell(id.Row, id.Col)) },
	)
	c.table.ShowHeaderColumn = false
	c.table.CreateHeader = func() fyne.CanvasObject { return &widget.Label{TextStyle: fyne.TextStyle{Bold: true}} }
	c.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		if id.Col >= 0 {
			o.(*widget.Label).SetText(c.headers()[id.Col])
		}
	}
	c.table.SetColumnWidth(0, 220)
	c.estimate = &widget.Label{Wrapping: fyne.TextWrapWord}
	return container.NewBorder(c.estimate, nil, nil, nil, c.table)
}

func (c *channelStats) cell(row, col int) string {
	r := c.rep.Channels[row]
	switch col {
	case 0:
		return channelName(r.Channel)
	case 1:
		return fmt.Sprint(r.Tickets)
	case 2:
		return fmt.Sprint(r.NoShows)
	}
	if r.Channel != queue.ChannelAppointment {
		return "—" // only appointments are booked
	}
	if col == 3 {
		return fmt.Sprint(r.Bookings)
	}
	return fmt.Sprint(r.Online)
}

// show puts the period's report on screen; unavailable says the queue
// keeps no such figures.
func (c *channelStats) show(rep queue.ChannelReport, unavailable bool) {
	c.rep = rep
	switch {
	case unavailable:
		c.estimate.SetText(lang.L("This queue keeps no figures of the channels"))
	case rep.Estimates == 0:
		c.estimate.SetText(lang.L("Estimated wait: no ticket called yet to compare it with"))
	default:
		c.estimate.SetText(lang.L("Error of the estimated wait (median, against the real wait): {{.Minutes}} min over {{.Count}} tickets",
			map[string]any{"Minutes": fmt.Sprintf("%.1f", rep.EstimateError.Minutes()), "Count": rep.Estimates}))
	}
	c.table.Refresh()
}
