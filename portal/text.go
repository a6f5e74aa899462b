package portal

// Text is the translation of key in lang ("it" or "en") with its
// arguments, from the same files as the portal's pages: the server's
// messages to citizens (notify) speak as the portal does.
func Text(lang, key string, args map[string]any) string {
	return newTr(lang).X(key, args)
}
