package store

import (
	"context"
	"testing"
	"time"

	"sportello/fault"
)

func TestDeviceCodeIsUsedOnceAndTheDeviceCanBeRevoked(t *testing.T) {
	ctx := context.Background()
	s := openTest(t)
	for _, tc := range []struct{ name, kind, device string }{
		{"unknown kind", "desk", "Totem"},
		{"no name", DeviceKiosk, "  "},
	} {
		if _, _, err := s.NewDeviceCode(ctx, "admin", tc.kind, tc.device); fault.Code(err) != fault.Invalid {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
	d, code, err := s.NewDeviceCode(ctx, "admin", DeviceKiosk, "Totem ingresso")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.EnrolDevice(ctx, "AAAA-BBBB-CCCC-DDDD"); fault.Code(err) != fault.Forbidden {
		t.Fatalf("a made-up code: %v", err)
	}
	got, token, err := s.EnrolDevice(ctx, code)
	if err != nil || got.ID != d.ID || got.Kind != DeviceKiosk || len(token) != 64 {
		t.Fatalf("enrol = %+v %q %v", got, token, err)
	}
	if _, _, err := s.EnrolDevice(ctx, code); fault.Code(err) != fault.Forbidden {
		t.Fatalf("the code used again: %v", err)
	}
	if by, err := s.DeviceByToken(ctx, token); err != nil || by.ID != d.ID {
		t.Fatalf("by token = %+v %v", by, err)
	}
	other := token[:63] + "0"
	if other == token {
		other = token[:63] + "1" // another token, whatever the last digit was
	}
	if _, err := s.DeviceByToken(ctx, other); fault.Code(err) != fault.Forbidden {
		t.Fatalf("another token: %v", err)
	}
	if err := s.RevokeDevice(ctx, "admin", d.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DeviceByToken(ctx, token); fault.Code(err) != fault.Forbidden {
		t.Fatalf("a revoked device's token: %v", err)
	}
	if err := s.RevokeDevice(ctx, "admin", d.ID); fault.Code(err) != fault.NotFound {
		t.Fatalf("revoked twice: %v", err)
	}
	// A code expires with the desks' enrolment codes.
	_, late, err := s.NewDeviceCode(ctx, "admin", DeviceBoard, "Monitor")
	if err != nil {
		t.Fatal(err)
	}
	now := s.now
	s.now = func() time.Time { return now().Add(EnrolCodeTTL + time.Minute) }
	if _, _, err := s.EnrolDevice(ctx, late); fault.Code(err) != fault.Forbidden {
		t.Fatalf("an expired code: %v", err)
	}
	list, err := s.Devices(ctx)
	if err != nil || len(list) != 2 || list[1].RevokedAt.IsZero() || !list[0].EnrolledAt.IsZero() {
		t.Fatalf("devices = %+v %v", list, err)
	}
}
