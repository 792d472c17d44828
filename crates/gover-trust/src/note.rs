//! Signed notes, the format checksum databases sign their tree heads in.
//!
//! A note is UTF-8 text ending in a newline, then a blank line, then one
//! or more signature lines `— <name> <base64(key hash ‖ signature)>` (the
//! dash is U+2014). A signature covers the text including its final
//! newline. A verifier key is written `<name>+<hex key hash>+<base64(alg ‖
//! public key)>`; the key hash is the first four bytes, big-endian, of
//! SHA-256(name ‖ "\n" ‖ alg ‖ public key); the only algorithm is 1,
//! Ed25519.
//!
//! A note is accepted only when it carries a valid signature by the one
//! key the caller trusts; signatures by other keys are kept, unverified,
//! for messages.

use std::fmt;

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine as _;
use ed25519_dalek::{Signature as EdSignature, VerifyingKey};
use sha2::{Digest, Sha256};

use crate::error::{shown, Error, ErrorKind, Result};

/// The verifier key of sum.golang.org, Go's checksum database.
pub const SUM_GOLANG_ORG_KEY: &str =
    "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8";

/// The only signature algorithm: Ed25519.
const ALG_ED25519: u8 = 1;

/// Most signature lines a note may carry.
const MAX_SIGNATURES: usize = 100;

/// Most bytes a note may have.
pub const MAX_NOTE_BYTES: usize = 1 << 20;

/// The signature-line prefix: an em dash (U+2014) and a space.
const SIG_PREFIX: &str = "\u{2014} ";

/// A public key that verifies notes signed under a name.
#[derive(Clone, PartialEq, Eq)]
pub struct Verifier {
    name: String,
    key_hash: u32,
    key: Box<VerifyingKey>,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Verifier({self})")
    }
}

/// The key hash of `name` and an encoded key (`alg ‖ public key`).
pub fn key_hash(name: &str, alg_and_key: &[u8]) -> u32 {
    let mut h = Sha256::new();
    h.update(name.as_bytes());
    h.update(b"\n");
    h.update(alg_and_key);
    let d = h.finalize();
    u32::from_be_bytes([d[0], d[1], d[2], d[3]])
}

/// Whether `name` may name a key: not empty, no white space, no `+`.
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(char::is_whitespace) && !name.contains('+')
}

fn invalid_key(vkey: &str, why: &str) -> Error {
    Error::new(
        ErrorKind::InvalidKey,
        format!("invalid verifier key `{}`: {why}", shown(vkey, 120)),
    )
    .with_hint("a verifier key reads <name>+<8 hex digits>+<base64 key>, as in sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8")
}

impl Verifier {
    /// Parses a verifier key `<name>+<hex key hash>+<base64(alg ‖ key)>`,
    /// checking the key hash.
    pub fn parse(vkey: &str) -> Result<Self> {
        let mut parts = vkey.splitn(3, '+');
        let (Some(name), Some(hash16), Some(key64)) = (parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid_key(
                vkey,
                "it does not have three parts separated by `+`",
            ));
        };
        if !is_valid_name(name) {
            return Err(invalid_key(
                vkey,
                "the name is empty or contains white space",
            ));
        }
        let hash = (hash16.len() == 8 && hash16.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| u32::from_str_radix(hash16, 16).ok())
            .flatten()
            .ok_or_else(|| invalid_key(vkey, "the key hash is not 8 hex digits"))?;
        let key = B64
            .decode(key64)
            .map_err(|_| invalid_key(vkey, "the key is not valid base64"))?;
        if key.is_empty() {
            return Err(invalid_key(vkey, "the key is empty"));
        }
        if key_hash(name, &key) != hash {
            return Err(invalid_key(
                vkey,
                &format!(
                    "the key hash {hash16} does not match the name and key (they hash to {:08x})",
                    key_hash(name, &key)
                ),
            ));
        }
        if key[0] != ALG_ED25519 {
            return Err(invalid_key(
                vkey,
                &format!(
                    "unknown signature algorithm {} (only 1, Ed25519, exists)",
                    key[0]
                ),
            ));
        }
        let pk: [u8; 32] = key[1..]
            .try_into()
            .map_err(|_| invalid_key(vkey, "an Ed25519 key is 32 bytes"))?;
        let key = VerifyingKey::from_bytes(&pk)
            .map_err(|_| invalid_key(vkey, "the key is not a valid Ed25519 point"))?;
        Ok(Self {
            name: name.to_string(),
            key_hash: hash,
            key: Box::new(key),
        })
    }

    /// The verifier of sum.golang.org ([`SUM_GOLANG_ORG_KEY`]).
    pub fn sum_golang_org() -> Self {
        Self::parse(SUM_GOLANG_ORG_KEY).expect("the built-in key is valid")
    }

    /// A verifier for an Ed25519 public key under `name`.
    pub fn from_ed25519(name: &str, public_key: &[u8; 32]) -> Result<Self> {
        if !is_valid_name(name) {
            return Err(Error::new(
                ErrorKind::InvalidKey,
                format!("invalid key name `{}`", shown(name, 80)),
            ));
        }
        let key = VerifyingKey::from_bytes(public_key).map_err(|_| {
            Error::new(
                ErrorKind::InvalidKey,
                "the key is not a valid Ed25519 point",
            )
        })?;
        let mut enc = vec![ALG_ED25519];
        enc.extend_from_slice(public_key);
        Ok(Self {
            name: name.to_string(),
            key_hash: key_hash(name, &enc),
            key: Box::new(key),
        })
    }

    /// The name notes are signed under.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The key hash.
    pub fn key_hash(&self) -> u32 {
        self.key_hash
    }

    /// `name+hash`, how messages name the key.
    pub fn id(&self) -> String {
        format!("{}+{:08x}", self.name, self.key_hash)
    }

    /// Whether `sig` is a valid signature of `msg` by this key.
    pub fn verify(&self, msg: &[u8], sig: &[u8]) -> bool {
        let Ok(sig) = EdSignature::from_slice(sig) else {
            return false;
        };
        self.key.verify_strict(msg, &sig).is_ok()
    }
}

impl fmt::Display for Verifier {
    /// The verifier key, `<name>+<hex hash>+<base64 key>`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut enc = vec![ALG_ED25519];
        enc.extend_from_slice(self.key.as_bytes());
        write!(f, "{}+{:08x}+{}", self.name, self.key_hash, B64.encode(enc))
    }
}

/// One signature line of a note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The key's name.
    pub name: String,
    /// The key hash the signature claims.
    pub key_hash: u32,
    /// The signature line's base64 (key hash and signature).
    pub base64: String,
}

impl Signature {
    /// `name+hash`.
    pub fn id(&self) -> String {
        format!("{}+{:08x}", self.name, self.key_hash)
    }
}

/// A note whose signature by the trusted key verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// The signed text (ending in a newline).
    pub text: String,
    /// The trusted key's signature.
    pub signature: Signature,
    /// Signatures by other keys, not verified.
    pub others: Vec<Signature>,
}

fn malformed(why: &str) -> Error {
    Error::new(
        ErrorKind::MalformedNote,
        format!("malformed signed note: {why}"),
    )
}

/// Splits a note into its text (with the final newline) and signature block.
fn split_note(msg: &[u8]) -> Result<(&str, &str)> {
    if msg.len() > MAX_NOTE_BYTES {
        return Err(malformed(&format!("longer than {MAX_NOTE_BYTES} bytes")));
    }
    let s = std::str::from_utf8(msg).map_err(|_| malformed("not UTF-8"))?;
    if let Some(c) = s.chars().find(|&c| c < ' ' && c != '\n') {
        return Err(malformed(&format!("control character {c:?}")));
    }
    let split = s
        .rfind("\n\n")
        .ok_or_else(|| malformed("no blank line before the signatures"))?;
    let (text, sigs) = (&s[..split + 1], &s[split + 2..]);
    if sigs.is_empty() || !sigs.ends_with('\n') {
        return Err(malformed(
            "the signature block is empty or does not end in a newline",
        ));
    }
    Ok((text, sigs))
}

/// Parses one signature line (without its newline) into the signature and
/// the raw signature bytes.
fn parse_sig_line(line: &str) -> Result<(Signature, Vec<u8>)> {
    let rest = line.strip_prefix(SIG_PREFIX).ok_or_else(|| {
        malformed(&format!(
            "signature line `{}` does not start with an em dash",
            shown(line, 80)
        ))
    })?;
    let (name, b64) = rest.split_once(' ').unwrap_or((rest, ""));
    let raw = B64
        .decode(b64)
        .ok()
        .filter(|r| r.len() >= 5 && is_valid_name(name));
    let Some(raw) = raw else {
        return Err(malformed(&format!(
            "bad signature line `{}`",
            shown(line, 80)
        )));
    };
    let key_hash = u32::from_be_bytes([raw[0], raw[1], raw[2], raw[3]]);
    let sig = Signature {
        name: name.to_string(),
        key_hash,
        base64: b64.to_string(),
    };
    Ok((sig, raw[4..].to_vec()))
}

/// Opens a signed note: checks the format and that it carries a valid
/// signature by `verifier`.
///
/// Errors: [`ErrorKind::MalformedNote`]; [`ErrorKind::BadSignature`] when
/// a signature names the trusted key (name and key hash) but does not
/// verify; [`ErrorKind::UnknownKey`] when no signature names it.
pub fn open(msg: &[u8], verifier: &Verifier) -> Result<Note> {
    let (text, sigs) = split_note(msg)?;
    let mut trusted = None;
    let mut others: Vec<Signature> = Vec::new();
    for (i, line) in sigs.trim_end_matches('\n').split('\n').enumerate() {
        if i == MAX_SIGNATURES {
            return Err(malformed(&format!("more than {MAX_SIGNATURES} signatures")));
        }
        let (sig, raw) = parse_sig_line(line)?;
        if sig.name != verifier.name() || sig.key_hash != verifier.key_hash() {
            if !others.contains(&sig) {
                others.push(sig);
            }
            continue;
        }
        if !verifier.verify(text.as_bytes(), &raw) {
            return Err(Error::new(
                ErrorKind::BadSignature,
                format!("invalid signature for key {}", verifier.id()),
            )
            .with_hint("the note was altered or not signed by this key: whoever served it is not the checksum database it claims to be"));
        }
        trusted.get_or_insert(sig);
    }
    let Some(signature) = trusted else {
        let by: Vec<String> = others.iter().map(Signature::id).collect();
        return Err(Error::new(
            ErrorKind::UnknownKey,
            format!(
                "the note is not signed by the trusted key {} (it is signed by {})",
                verifier.id(),
                shown(&by.join(", "), 200)
            ),
        )
        .with_hint("GOSUMDB names the key gover trusts: the server answering is another database, or GOSUMDB names the wrong key"));
    };
    Ok(Note {
        text: text.to_string(),
        signature,
        others,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use ed25519_dalek::{Signer as _, SigningKey};

    /// A signer for tests: an Ed25519 key from a fixed seed, under `name`.
    pub(crate) struct TestSigner {
        pub(crate) name: String,
        pub(crate) key: SigningKey,
    }

    impl TestSigner {
        pub(crate) fn new(name: &str, seed: u8) -> Self {
            Self {
                name: name.into(),
                key: SigningKey::from_bytes(&[seed; 32]),
            }
        }

        pub(crate) fn verifier(&self) -> Verifier {
            Verifier::from_ed25519(&self.name, self.key.verifying_key().as_bytes()).unwrap()
        }

        /// Signs `text` with this key, claiming key hash `hash`.
        pub(crate) fn sign_as(&self, text: &str, hash: u32) -> String {
            let sig = self.key.sign(text.as_bytes());
            let mut raw = hash.to_be_bytes().to_vec();
            raw.extend_from_slice(&sig.to_bytes());
            format!("{text}\n\u{2014} {} {}\n", self.name, B64.encode(raw))
        }

        pub(crate) fn sign(&self, text: &str) -> String {
            self.sign_as(text, self.verifier().key_hash())
        }
    }

    /// A real tree head of sum.golang.org (2024), signed by its key.
    pub(crate) const REAL_TREE_NOTE: &str = "go.sum database tree\n28905453\nf3f8U0MoQmXkWAgAEKDtXcaI3c2y6N9+55KNSRefF/w=\n\n\u{2014} sum.golang.org Az3grr4J9x4SApup87osjthKONInbYdbN37ZskrLF12HIbhDuxOBTzt8Z2jUKbCvxYWrw0yNgshddOzt7pZEl7aSCw8=\n";

    #[test]
    fn the_real_key_parses_and_round_trips() {
        let v = Verifier::sum_golang_org();
        assert_eq!(v.name(), "sum.golang.org");
        assert_eq!(v.key_hash(), 0x033de0ae);
        assert_eq!(v.id(), "sum.golang.org+033de0ae");
        assert_eq!(v.to_string(), SUM_GOLANG_ORG_KEY);
    }

    #[test]
    fn a_real_signed_tree_head_verifies_under_the_real_key() {
        let n = open(REAL_TREE_NOTE.as_bytes(), &Verifier::sum_golang_org()).unwrap();
        assert_eq!(
            n.text,
            "go.sum database tree\n28905453\nf3f8U0MoQmXkWAgAEKDtXcaI3c2y6N9+55KNSRefF/w=\n"
        );
        assert_eq!(n.signature.id(), "sum.golang.org+033de0ae");
        assert!(n.others.is_empty());
        // One changed digit of the tree size breaks it.
        let altered = REAL_TREE_NOTE.replace("28905453", "28905454");
        let e = open(altered.as_bytes(), &Verifier::sum_golang_org()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadSignature, "{e}");
    }

    #[test]
    fn bad_verifier_keys_are_refused_with_the_reason() {
        let cases = [
            ("sum.golang.org", "three parts"),
            ("sum.golang.org+033de0ae", "three parts"),
            (
                "sum.golang.org+033de0a+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
                "8 hex digits",
            ),
            (
                "sum.golang.org+033de0zz+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
                "8 hex digits",
            ),
            (
                "sum.golang.org+033de0af+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
                "does not match",
            ),
            (
                "sum.golang.com+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
                "does not match",
            ),
            (
                "sum.golang.org+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn9",
                "does not match",
            ),
            ("sum.golang.org+033de0ae+!!!", "base64"),
            (
                "sum golang+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
                "white space",
            ),
            (
                "+033de0ae+Ac4zctda0e5eza+HJyk9SxEdh+s3Ux18htTTAD8OuAn8",
                "empty",
            ),
        ];
        for (k, why) in cases {
            let e = Verifier::parse(k).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidKey, "{k}");
            assert!(e.to_string().contains(why), "{k}: {e}");
        }
        // An unknown algorithm and a short key, with correct key hashes.
        let mut enc = vec![2u8];
        enc.extend_from_slice(&[7; 32]);
        let k = format!(
            "x.test+{:08x}+{}",
            key_hash("x.test", &enc),
            B64.encode(&enc)
        );
        let e = Verifier::parse(&k).unwrap_err();
        assert!(
            e.to_string().contains("unknown signature algorithm 2"),
            "{e}"
        );
        let enc = [1u8, 7, 7, 7];
        let k = format!(
            "x.test+{:08x}+{}",
            key_hash("x.test", &enc),
            B64.encode(enc)
        );
        let e = Verifier::parse(&k).unwrap_err();
        assert!(e.to_string().contains("32 bytes"), "{e}");
    }

    #[test]
    fn a_note_signed_with_a_test_key_verifies_under_that_key_only() {
        let s = TestSigner::new("sum.golang.org", 7);
        let note =
            s.sign("go.sum database tree\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n");
        let n = open(note.as_bytes(), &s.verifier()).unwrap();
        assert_eq!(n.signature.name, "sum.golang.org");
        // Under the real key: signed by an unknown key of the same name.
        let e = open(note.as_bytes(), &Verifier::sum_golang_org()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownKey, "{e}");
        assert!(
            e.to_string()
                .contains("not signed by the trusted key sum.golang.org+033de0ae"),
            "{e}"
        );
        assert!(e.to_string().contains(&s.verifier().id()), "{e}");
        // Claiming the real key's hash does not help: the signature is checked.
        let forged = s.sign_as(
            "go.sum database tree\n5\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n",
            0x033de0ae,
        );
        let e = open(forged.as_bytes(), &Verifier::sum_golang_org()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadSignature, "{e}");
        assert_eq!(
            e.to_string(),
            "invalid signature for key sum.golang.org+033de0ae"
        );
    }

    #[test]
    fn other_signatures_are_kept_and_the_trusted_one_is_required() {
        let a = TestSigner::new("a.test", 1);
        let b = TestSigner::new("b.test", 2);
        let text = "hello\n";
        let sa = a.sign(text);
        let sb = b.sign(text);
        let both = format!("{}{}", sa, sb.lines().last().unwrap()) + "\n";
        let n = open(both.as_bytes(), &a.verifier()).unwrap();
        assert_eq!(n.others.len(), 1);
        assert_eq!(n.others[0].name, "b.test");
        let n = open(both.as_bytes(), &b.verifier()).unwrap();
        assert_eq!(n.others[0].name, "a.test");
        let e = open(sb.as_bytes(), &a.verifier()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::UnknownKey);
    }

    #[test]
    fn malformed_notes_are_refused() {
        let s = TestSigner::new("a.test", 1);
        let good = s.sign("hello\n");
        let sig_line = good.lines().last().unwrap().to_string();
        let cases: Vec<(String, &str)> = vec![
            ("hello\n".into(), "no blank line"),
            (format!("hello\n\n{sig_line}"), "does not end in a newline"),
            ("hello\n\n".into(), "signature block is empty"),
            (format!("hel\tlo\n\n{sig_line}\n"), "control character"),
            (
                format!("hello\n\n{}\n", sig_line.replace('\u{2014}', "-")),
                "em dash",
            ),
            (
                "hello\n\n\u{2014} a.test\n".to_string(),
                "bad signature line",
            ),
            (
                "hello\n\n\u{2014} a.test AAAA\n".to_string(),
                "bad signature line",
            ),
            (
                "hello\n\n\u{2014} a.test !!!!\n".to_string(),
                "bad signature line",
            ),
        ];
        for (note, why) in cases {
            let e = open(note.as_bytes(), &s.verifier()).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::MalformedNote, "{note:?}: {e}");
            assert!(e.to_string().contains(why), "{note:?}: {e}");
        }
        let e = open(b"hello\xff\n\n", &s.verifier()).unwrap_err();
        assert!(e.to_string().contains("not UTF-8"), "{e}");
        let many = format!("hello\n\n{}", format!("{sig_line}\n").repeat(101));
        let e = open(many.as_bytes(), &s.verifier()).unwrap_err();
        assert!(e.to_string().contains("more than 100"), "{e}");
        let huge = format!("{}\n\n{sig_line}\n", "x".repeat(MAX_NOTE_BYTES));
        let e = open(huge.as_bytes(), &s.verifier()).unwrap_err();
        assert!(e.to_string().contains("longer than"), "{e}");
    }

    #[test]
    fn a_wrong_length_signature_is_a_bad_signature() {
        let s = TestSigner::new("a.test", 1);
        let mut raw = s.verifier().key_hash().to_be_bytes().to_vec();
        raw.extend_from_slice(&[0; 10]);
        let note = format!("hello\n\n\u{2014} a.test {}\n", B64.encode(raw));
        let e = open(note.as_bytes(), &s.verifier()).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::BadSignature);
    }
}
