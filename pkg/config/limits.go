package config

import (
	"slices"
	"strings"

	"golang.org/x/net/idna"

	"reportmailer/pkg/keys"
)

// MaxDigestIDLen bounds a digest id. The id goes into every unsubscribe
// token (with the address, up to 254 characters, and the title), into the
// archive link's object key and into the attachment and --out file names
// (<id>-<start>_<lastDay>.pdf): 64 characters keeps the longest token far
// under the 2,048 the links function accepts and every file name under 255
// bytes, with room for the period and audience suffixes.
const MaxDigestIDLen = 64

// ReservedDigestIDs cannot name a digest: keys.ReservedDigestIDs says why.
var ReservedDigestIDs = keys.ReservedDigestIDs

// ArchiveGrantPrefix is where the stack lets the functions write and read
// the archive (template.yaml: the archive policies' ${ArchiveBucket.Arn}/
// digests/* and the lifecycle rule's Prefix). A mail.archivePrefix outside
// it fails with AccessDenied on every archive, and would never expire.
const ArchiveGrantPrefix = "digests/"

// maxArchivePrefix bounds mail.archivePrefix: S3 keys are at most 1,024
// bytes, and the key (prefix, id, period, audience scope) rides in the
// archive link's token.
const maxArchivePrefix = 128

func (v *validator) digestID(path, id string) {
	switch {
	case id == "":
		v.add(path, "required")
	case !plainKey.MatchString(id):
		v.add(path, "%q: use letters, digits, - and _", id)
	case len(id) > MaxDigestIDLen:
		v.add(path, "%d characters: want at most %d (the id goes into every unsubscribe link, archive key and file name)", len(id), MaxDigestIDLen)
	default:
		for _, r := range ReservedDigestIDs {
			if strings.EqualFold(id, r) {
				v.add(path, "%q is reserved (the table keeps other records under digest#%s#); choose another id", id, r)
			}
		}
	}
}

func (v *validator) archivePrefix(path, p string) {
	switch {
	case !strings.HasPrefix(p, ArchiveGrantPrefix):
		v.add(path, "%q is outside what the stack grants and expires (%s…, template.yaml's archive policies and lifecycle rule): every archive write would be AccessDenied; use %s or a folder under it", p, ArchiveGrantPrefix, ArchiveGrantPrefix)
	case len(p) > maxArchivePrefix || hasControl(p) || slices.Contains(strings.Split(p, "/"), ".."):
		v.add(path, "%q: want %s followed by at most %d characters of a plain folder path", p, ArchiveGrantPrefix, maxArchivePrefix-len(ArchiveGrantPrefix))
	}
}

// sesAddress checks what SES can deliver: it has no SMTPUTF8, so the
// local part (before @) must be 7-bit ASCII and the domain must be written
// as SES sends it, in Punycode (RFC 3492). Rather than encode the domain
// quietly at send time, validate asks for the Punycode form in the config:
// the address there is then the one the send log, the suppressions and the
// unsubscribe links record, and the one SES reports bounces for.
func (v *validator) sesAddress(path, raw, addr string) {
	at := strings.LastIndexByte(addr, '@')
	if at < 0 {
		return
	}
	local, domain := addr[:at], addr[at+1:]
	if !isASCII(local) {
		v.add(path, "%q: the part before @ must be ASCII; SES does not support SMTPUTF8, so it cannot deliver to %q", raw, local)
		return
	}
	if isASCII(domain) {
		return
	}
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil {
		v.add(path, "%q: %q is not a valid internationalised domain name", raw, domain)
		return
	}
	v.add(path, "%q: write the domain in Punycode, as SES sends it: %s@%s", raw, local, ascii)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
