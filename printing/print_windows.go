//go:build windows

package printing

import (
	"context"
	"errors"
	"os"
	"runtime"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"

	"sportello/fault"
)

// shellExecuteInfo is Windows' SHELLEXECUTEINFOW.
type shellExecuteInfo struct {
	size       uint32
	mask       uint32
	hwnd       windows.Handle
	verb       *uint16
	file       *uint16
	parameters *uint16
	directory  *uint16
	show       int32
	instApp    windows.Handle
	idList     uintptr
	class      *uint16
	keyClass   windows.Handle
	hotKey     uint32
	icon       windows.Handle
	process    windows.Handle
}

const (
	seeMaskNoCloseProcess = 0x40  // SEE_MASK_NOCLOSEPROCESS: the handler's process, to wait for
	seeMaskNoAsync        = 0x100 // SEE_MASK_NOASYNC: done when the call returns
	seeMaskFlagNoUI       = 0x400 // SEE_MASK_FLAG_NO_UI: an error is returned, not shown
	swShowMinNoActive     = 7     // SW_SHOWMINNOACTIVE: the handler stays out of the clerk's way
)

var shellExecuteEx = windows.NewLazySystemDLL("shell32.dll").NewProc("ShellExecuteExW")

// handlerWait is how long the PDF's temporary file is kept for the
// program that prints it before it is removed.
const handlerWait = 2 * time.Minute

// printPDF prints through the program Windows has for printing PDF files
// (the "print" verb, or "printto" with a printer's name, that a PDF reader
// such as Acrobat Reader, Foxit or SumatraPDF registers), which sends the
// pages to the print spooler: Windows has no PDF printing of its own. The
// PDF goes through a temporary file, removed once the reader is done with
// it (at most handlerWait later).
func printPDF(ctx context.Context, pdf []byte, printer string) error {
	f, err := os.CreateTemp("", "sportello-*.pdf")
	if err != nil {
		return err
	}
	name := f.Name()
	_, werr := f.Write(pdf)
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		os.Remove(name)
		return werr
	}
	verb, params := "print", ""
	if printer != "" {
		verb, params = "printto", `"`+printer+`"`
	}
	process, err := shellPrint(verb, name, params)
	if err != nil {
		os.Remove(name)
		if errors.Is(err, windows.ERROR_NO_ASSOCIATION) {
			return fault.New(fault.Invalid, "No program on this PC prints PDF files: ask IT to install a PDF reader that prints (Acrobat Reader, Foxit or SumatraPDF), or save the PDF and print it from another program", nil)
		}
		return fault.New(fault.Invalid, "Windows could not print the document ({{.Detail}}): check that the printer is on, connected and set in Windows (or in the printer setting)", map[string]any{"Detail": err.Error()})
	}
	go func() {
		if process != 0 {
			windows.WaitForSingleObject(process, uint32(handlerWait/time.Millisecond))
			windows.CloseHandle(process)
		} else {
			time.Sleep(handlerWait)
		}
		os.Remove(name)
	}()
	return ctx.Err()
}

// shellPrint runs ShellExecuteExW with verb on file, on a thread of its own
// with COM initialised, as the shell's handlers expect.
func shellPrint(verb, file, params string) (windows.Handle, error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if err := windows.CoInitializeEx(0, windows.COINIT_APARTMENTTHREADED|windows.COINIT_DISABLE_OLE1DDE); err == nil {
		defer windows.CoUninitialize()
	}
	info := shellExecuteInfo{mask: seeMaskNoCloseProcess | seeMaskNoAsync | seeMaskFlagNoUI, show: swShowMinNoActive}
	info.size = uint32(unsafe.Sizeof(info))
	var err error
	if info.verb, err = windows.UTF16PtrFromString(verb); err != nil {
		return 0, err
	}
	if info.file, err = windows.UTF16PtrFromString(file); err != nil {
		return 0, err
	}
	if params != "" {
		if info.parameters, err = windows.UTF16PtrFromString(params); err != nil {
			return 0, err
		}
	}
	ok, _, callErr := shellExecuteEx.Call(uintptr(unsafe.Pointer(&info)))
	if ok == 0 {
		return 0, callErr
	}
	return info.process, nil
}
