//! Encrypted client keys and `sslpassword`, as libpq (OpenSSL) reads them:
//! PKCS#8 `ENCRYPTED PRIVATE KEY` (PEM or DER) with PBES2 (PBKDF2 with
//! HMAC-SHA1/224/256/384/512, or scrypt; AES-128/192/256-CBC or
//! DES-EDE3-CBC), what `openssl pkcs8 -topk8` and `openssl genpkey -aes256`
//! write, and OpenSSL's traditional PEM (`Proc-Type: 4,ENCRYPTED` and
//! `DEK-Info`, what `openssl rsa -aes256` and `openssl ec -des3` write:
//! the key from `EVP_BytesToKey` with MD5, one round, salted with the IV's
//! first 8 bytes). Other formats (PBES1, PKCS#12 PBE) are refused naming the
//! format. No message holds the key's bytes or the password.

use pkcs8::der::asn1::ObjectIdentifier;
use pkcs8::der::{Decode, Reader, SliceReader};
use pkcs8::spki::AlgorithmIdentifierRef;
use pkcs8::{EncryptedPrivateKeyInfo, SecretDocument};
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs1KeyDer, PrivatePkcs8KeyDer, PrivateSec1KeyDer};

/// How a key file is encrypted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Format {
    /// PKCS#8 `ENCRYPTED PRIVATE KEY`, PEM or DER.
    Pkcs8,
    /// OpenSSL's traditional PEM with `Proc-Type: 4,ENCRYPTED`.
    Traditional,
}

impl Format {
    fn name(self) -> &'static str {
        match self {
            Format::Pkcs8 => "PKCS#8 ENCRYPTED PRIVATE KEY",
            Format::Traditional => "OpenSSL traditional PEM, Proc-Type: 4,ENCRYPTED",
        }
    }
}

/// Whether the key file's `bytes` are an encrypted key, and in which format.
pub(super) fn encrypted(bytes: &[u8]) -> Option<Format> {
    let text = String::from_utf8_lossy(bytes);
    if text.contains("-----BEGIN ENCRYPTED PRIVATE KEY-----") {
        return Some(Format::Pkcs8);
    }
    if text.contains("Proc-Type: 4,ENCRYPTED") {
        return Some(Format::Traditional);
    }
    // DER: an EncryptedPrivateKeyInfo starts with an AlgorithmIdentifier
    // where a PrivateKeyInfo starts with its version number.
    encryption_oids(bytes).map(|_| Format::Pkcs8)
}

/// The key in the encrypted key file `bytes` (of `format`), decrypted with
/// `password` (libpq's `sslpassword`; an empty one counts as none, as libpq
/// then prompts). `shown` names the file in messages.
pub(super) fn decrypt(
    bytes: &[u8],
    format: Format,
    password: Option<&str>,
    shown: &str,
) -> Result<PrivateKeyDer<'static>, String> {
    let Some(password) = password.filter(|p| !p.is_empty()) else {
        return Err(format!(
            "the private key file {shown} (sslkey) is encrypted ({}) and no sslpassword is \
             given: add sslpassword=PASSPHRASE to the database address (URL parameter or key = \
             value word; libpq has no environment variable for it, and chartcoder never prompts \
             for it), or keep the key decrypted, readable only by you",
            format.name()
        ));
    };
    match format {
        Format::Pkcs8 => pkcs8_key(bytes, password, shown),
        Format::Traditional => traditional_key(bytes, password, shown),
    }
}

/// A wrong password for the key file `shown`.
fn wrong(shown: &str) -> String {
    format!(
        "the private key file {shown} (sslkey) cannot be decrypted with the sslpassword given \
         (a wrong passphrase?)"
    )
}

/// The key file `shown` encrypted with `what`, which is not supported.
fn unsupported(shown: &str, what: &str) -> String {
    format!(
        "the private key file {shown} (sslkey) is encrypted with {what}, which chartcoder cannot \
         decrypt: re-encrypt it as PKCS#8 with PBES2 (`openssl pkcs8 -topk8 -v2 aes-256-cbc -in \
         {shown} -out NEW.key`)"
    )
}

/// The key file `shown` is not an encrypted key of its `format`.
fn unreadable(shown: &str, format: Format) -> String {
    format!(
        "the private key file {shown} (sslkey) holds no {} that can be read",
        format.name()
    )
}

/// A PKCS#8 `ENCRYPTED PRIVATE KEY` (PEM, else DER) decrypted.
fn pkcs8_key(bytes: &[u8], password: &str, shown: &str) -> Result<PrivateKeyDer<'static>, String> {
    let der = match std::str::from_utf8(bytes)
        .ok()
        .and_then(|text| SecretDocument::from_pem(text).ok())
    {
        Some((_, doc)) => doc.as_bytes().to_vec(),
        None => bytes.to_vec(),
    };
    let Ok(info) = EncryptedPrivateKeyInfo::try_from(der.as_slice()) else {
        // The encryption scheme did not parse: PBES1 with a cipher the
        // crate does not know, PKCS#12 PBE, or no key at all.
        return Err(match encryption_oids(&der) {
            Some(oids) => unsupported(shown, &scheme_words(&oids)),
            None => unreadable(shown, Format::Pkcs8),
        });
    };
    match info.decrypt(password) {
        Ok(doc) => Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(
            doc.as_bytes().to_vec(),
        ))),
        Err(pkcs8::Error::EncryptedPrivateKey(
            pkcs8::pkcs5::Error::NoPbes1CryptSupport
            | pkcs8::pkcs5::Error::UnsupportedAlgorithm { .. },
        )) => Err(unsupported(
            shown,
            &scheme_words(&encryption_oids(&der).unwrap_or_default()),
        )),
        Err(pkcs8::Error::EncryptedPrivateKey(
            pkcs8::pkcs5::Error::AlgorithmParametersInvalid { oid },
        )) => Err(unsupported(
            shown,
            &format!("parameters of {} that cannot be used", oid_name(&oid)),
        )),
        // A bad padding, or what came out is not a key: the password.
        Err(_) => Err(wrong(shown)),
    }
}

/// The OIDs of the encryption scheme of a DER EncryptedPrivateKeyInfo: the
/// scheme's, and for PBES2 its key derivation's and cipher's; `None` when
/// `der` is not one.
fn encryption_oids(der: &[u8]) -> Option<Vec<ObjectIdentifier>> {
    let mut reader = SliceReader::new(der).ok()?;
    let algorithm = reader
        .sequence(|r| {
            let algorithm = AlgorithmIdentifierRef::decode(r)?;
            // The encrypted data follows.
            r.tlv_bytes()?;
            Ok(algorithm)
        })
        .ok()?;
    let mut oids = vec![algorithm.oid];
    if algorithm.oid == pkcs8::pkcs5::pbes2::PBES2_OID
        && let Some(params) = algorithm.parameters
    {
        let mut inner = SliceReader::new(params.value()).ok()?;
        for _ in 0..2 {
            oids.push(AlgorithmIdentifierRef::decode(&mut inner).ok()?.oid);
        }
    }
    Some(oids)
}

/// The encryption scheme of `oids` in words.
fn scheme_words(oids: &[ObjectIdentifier]) -> String {
    let names: Vec<String> = oids.iter().map(oid_name).collect();
    match names.as_slice() {
        [] => "an encryption scheme it does not name".into(),
        [scheme] => scheme.clone(),
        [scheme, rest @ ..] => format!("{scheme} ({})", rest.join(", ")),
    }
}

/// The name of a password-based encryption OID (RFC 8018, RFC 7292), or
/// the OID itself.
fn oid_name(oid: &ObjectIdentifier) -> String {
    let name = match oid.to_string().as_str() {
        "1.2.840.113549.1.5.13" => "PBES2",
        "1.2.840.113549.1.5.12" => "PBKDF2",
        "1.3.6.1.4.1.11591.4.11" => "scrypt",
        "1.2.840.113549.1.5.1" => "PBES1 pbeWithMD2AndDES-CBC",
        "1.2.840.113549.1.5.4" => "PBES1 pbeWithMD2AndRC2-CBC",
        "1.2.840.113549.1.5.3" => "PBES1 pbeWithMD5AndDES-CBC",
        "1.2.840.113549.1.5.6" => "PBES1 pbeWithMD5AndRC2-CBC",
        "1.2.840.113549.1.5.10" => "PBES1 pbeWithSHA1AndDES-CBC",
        "1.2.840.113549.1.5.11" => "PBES1 pbeWithSHA1AndRC2-CBC",
        "1.2.840.113549.1.12.1.1" => "PKCS#12 pbeWithSHAAnd128BitRC4",
        "1.2.840.113549.1.12.1.2" => "PKCS#12 pbeWithSHAAnd40BitRC4",
        "1.2.840.113549.1.12.1.3" => "PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.4" => "PKCS#12 pbeWithSHAAnd2-KeyTripleDES-CBC",
        "1.2.840.113549.1.12.1.5" => "PKCS#12 pbeWithSHAAnd128BitRC2-CBC",
        "1.2.840.113549.1.12.1.6" => "PKCS#12 pbewithSHAAnd40BitRC2-CBC",
        "2.16.840.1.101.3.4.1.2" => "aes-128-cbc",
        "2.16.840.1.101.3.4.1.22" => "aes-192-cbc",
        "2.16.840.1.101.3.4.1.42" => "aes-256-cbc",
        "1.2.840.113549.3.7" => "des-ede3-cbc",
        "1.3.14.3.2.7" => "des-cbc",
        "1.2.840.113549.3.2" => "rc2-cbc",
        other => return format!("the algorithm {other}"),
    };
    name.to_string()
}

/// OpenSSL's traditional encrypted PEM decrypted: `-----BEGIN RSA PRIVATE
/// KEY-----` (PKCS#1) or `EC PRIVATE KEY` (SEC1), headers `Proc-Type:
/// 4,ENCRYPTED` and `DEK-Info: CIPHER,IV-IN-HEX`, a blank line, base64.
fn traditional_key(
    bytes: &[u8],
    password: &str,
    shown: &str,
) -> Result<PrivateKeyDer<'static>, String> {
    let malformed = || unreadable(shown, Format::Traditional);
    let text = String::from_utf8_lossy(bytes);
    let pem = Traditional::parse(&text).ok_or_else(malformed)?;
    let (key_len, iv_len) = match pem.cipher.as_str() {
        "AES-128-CBC" => (16, 16),
        "AES-192-CBC" => (24, 16),
        "AES-256-CBC" => (32, 16),
        "DES-EDE3-CBC" => (24, 8),
        other => {
            return Err(unsupported(
                shown,
                &format!("the traditional PEM cipher {other}"),
            ));
        }
    };
    if pem.iv.len() != iv_len {
        return Err(malformed());
    }
    let key = bytes_to_key(password.as_bytes(), &pem.iv[..8], key_len);
    let plain = cbc_decrypt(&pem.cipher, &key, &pem.iv, pem.body).ok_or_else(|| wrong(shown))?;
    // A wrong password nearly always fails the padding; what comes out of
    // the right one is one DER SEQUENCE.
    let whole = pkcs8::der::asn1::AnyRef::from_der(&plain)
        .is_ok_and(|any| pkcs8::der::Tagged::tag(&any) == pkcs8::der::Tag::Sequence);
    if !whole {
        return Err(wrong(shown));
    }
    match pem.label.as_str() {
        "RSA PRIVATE KEY" => Ok(PrivateKeyDer::Pkcs1(PrivatePkcs1KeyDer::from(plain))),
        "EC PRIVATE KEY" => Ok(PrivateKeyDer::Sec1(PrivateSec1KeyDer::from(plain))),
        "PRIVATE KEY" => Ok(PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(plain))),
        other => Err(unsupported(
            shown,
            &format!("a traditional PEM \"{other}\" key"),
        )),
    }
}

/// The parts of a traditional encrypted PEM.
struct Traditional {
    label: String,
    cipher: String,
    iv: Vec<u8>,
    body: Vec<u8>,
}

impl Traditional {
    fn parse(text: &str) -> Option<Traditional> {
        let start = text.find("-----BEGIN ")?;
        let rest = &text[start + "-----BEGIN ".len()..];
        let (label, rest) = rest.split_once("-----")?;
        let end = rest.find("-----END ")?;
        let inside = &rest[..end];
        let (headers, body) = inside
            .split_once("\n\n")
            .or_else(|| inside.split_once("\r\n\r\n"))?;
        let dek = headers
            .lines()
            .find_map(|line| line.trim().strip_prefix("DEK-Info:"))?;
        let (cipher, iv) = dek.trim().split_once(',')?;
        let body: String = body.chars().filter(|c| !c.is_whitespace()).collect();
        Some(Traditional {
            label: label.to_string(),
            cipher: cipher.trim().to_ascii_uppercase(),
            iv: hex(iv.trim())?,
            body: <base64ct::Base64 as base64ct::Encoding>::decode_vec(&body).ok()?,
        })
    }
}

fn hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// OpenSSL's `EVP_BytesToKey` with MD5 and one round: D1 = MD5(password ||
/// salt), Di = MD5(Di-1 || password || salt), the key their first `len`
/// bytes.
fn bytes_to_key(password: &[u8], salt: &[u8], len: usize) -> Vec<u8> {
    use md5::Digest;
    let mut key = Vec::with_capacity(len + 16);
    let mut last: Vec<u8> = Vec::new();
    while key.len() < len {
        let mut md5 = md5::Md5::new();
        md5.update(&last);
        md5.update(password);
        md5.update(salt);
        last = md5.finalize().to_vec();
        key.extend_from_slice(&last);
    }
    key.truncate(len);
    key
}

/// `data` decrypted with `cipher` in CBC mode, PKCS#7 padding removed;
/// `None` when the padding is wrong (a wrong key).
fn cbc_decrypt(cipher: &str, key: &[u8], iv: &[u8], mut data: Vec<u8>) -> Option<Vec<u8>> {
    use cbc::cipher::block_padding::Pkcs7;
    use cbc::cipher::{BlockDecryptMut, KeyIvInit};
    let len = match cipher {
        "AES-128-CBC" => cbc::Decryptor::<aes::Aes128>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded_mut::<Pkcs7>(&mut data)
            .ok()?
            .len(),
        "AES-192-CBC" => cbc::Decryptor::<aes::Aes192>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded_mut::<Pkcs7>(&mut data)
            .ok()?
            .len(),
        "AES-256-CBC" => cbc::Decryptor::<aes::Aes256>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded_mut::<Pkcs7>(&mut data)
            .ok()?
            .len(),
        "DES-EDE3-CBC" => cbc::Decryptor::<des::TdesEde3>::new_from_slices(key, iv)
            .ok()?
            .decrypt_padded_mut::<Pkcs7>(&mut data)
            .ok()?
            .len(),
        _ => return None,
    };
    data.truncate(len);
    Some(data)
}

#[cfg(test)]
mod tests {
    //! The encrypted keys below were written by OpenSSL 3.0 (`openssl
    //! genpkey -algorithm EC`, then `openssl pkcs8 -topk8 -v2 aes-256-cbc`,
    //! `-scrypt`, `-v2 aes-128-cbc -v2prf hmacWithSHA1`, `-v1 PBE-SHA1-3DES`,
    //! `openssl ec -aes256` / `-des3` and `openssl rsa -traditional
    //! -aes128`), all with the passphrase
    //! "corr3ct horse"; each must give back the plain key OpenSSL wrote.
    use super::{Format, decrypt, encrypted};
    use rustls::pki_types::PrivateKeyDer;
    use rustls::pki_types::pem::PemObject;

    const PLAIN_PKCS8: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyHiV093ryTLUMFPf
0ELRyLNs0w8njLZPJ/9BY4NZTPahRANCAAQbKTVvK4roJ1Yvs0Yc3zdKu5i2LMJh
m1UghT/X80QqxzIe3iAPZry3IC2Fc8O2e4brlaoPddhCfxd9niCW61g6
-----END PRIVATE KEY-----
";
    const PLAIN_SEC1: &str = "-----BEGIN EC PRIVATE KEY-----
MHcCAQEEIMh4ldPd68ky1DBT39BC0cizbNMPJ4y2Tyf/QWODWUz2oAoGCCqGSM49
AwEHoUQDQgAEGyk1byuK6CdWL7NGHN83SruYtizCYZtVIIU/1/NEKscyHt4gD2a8
tyAthXPDtnuG65WqD3XYQn8XfZ4glutYOg==
-----END EC PRIVATE KEY-----
";
    const PBKDF2_AES256: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHsMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAcBAijqK0gSwzQSgICCAAw
DAYIKoZIhvcNAgkFADAdBglghkgBZQMEASoEEH5DUIXrjZOpmrgssPyV2cYEgZA+
qfNrF84bfyt5iC6qBXCBJHZiWVkNI1e6pL4VUcBtw5Dx3I41pNLW2VL92LosgwPP
/Sywx+GcH4daVt88o7e0QMG03S1OIwfqLd6e3FYzVoz4OdRME/HFoRYapKYSMtgz
mjE1sQ+13kYLJa7KjVi3xr/n0yFTAslC4F+tQbTFGImy5/AKuTbcW8j5Wb1wQWU=
-----END ENCRYPTED PRIVATE KEY-----
";
    const SCRYPT_AES256: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHkME8GCSqGSIb3DQEFDTBCMCEGCSsGAQQB2kcECzAUBAhIwnE/y9TICAICQAAC
AQgCAQEwHQYJYIZIAWUDBAEqBBB/cgSFEHNoR0T2CUEXNrzJBIGQ1Q5I6/1zpsnE
cKa5aUjWbpaOfCXGhKtl7vIIl17Ir4ZkCPPXksxTIiZDAFknxU4oF+w5+MQbLC7n
dwl7ebIj7As5a3fqxiqO8ZBsoNdeBNwWNrXvTFF7gMCjLbb0hR0CoYkKeuTGguvj
TsobVSwD88URbwK7JILryEjKCuRrjmKJ1PD0OHXf/6zMW9EwByy8
-----END ENCRYPTED PRIVATE KEY-----
";
    const PBKDF2_SHA1_AES128: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIHeMEkGCSqGSIb3DQEFDTA8MBsGCSqGSIb3DQEFDDAOBAjKKN1j177nIQICCAAw
HQYJYIZIAWUDBAECBBCapt2VIg5j5JhtiTQsyg9sBIGQk8x3PSsqpxrVmRlTlzXw
6Eh2cnNjTOzm3oVbZceUrSdWFWMLYyBhDjhZhAs2i3SZ6btGnQh4OrRUgAPZ7lKp
mSaYilMb3o97wB7QRTOkkQK/p2PRoyou4rONdisNU9tgwtCSjm+HIjvcrCEd02jD
03cf4sJ4k/CNxrTqlrdVIyHm2x6gmWpZOQkW78QM9QAA
-----END ENCRYPTED PRIVATE KEY-----
";
    const PKCS12_3DES: &str = "-----BEGIN ENCRYPTED PRIVATE KEY-----
MIGxMBwGCiqGSIb3DQEMAQMwDgQIx+cS33wLVN8CAggABIGQt4AdY5VxYgMJOqV+
HlWOaYQ9T/jwS6Cghz6EOspB536rJzbQTBqGtpYRBQ3VqQzr6bh7HsuVsUU6C3g5
wGS5nQuQRlNWWDA5a27GJ6OzFN/Gui8nkd2/XRcKnIPmv7pjhZA6M/9QaFSHfDdJ
bipgu9xmBjvUjqaXfWh3IeUyXknUJE6zRQg4JN+GZBu5xnaM
-----END ENCRYPTED PRIVATE KEY-----
";
    const TRADITIONAL_AES256: &str = "-----BEGIN EC PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-256-CBC,7DB8A6FD0F88B6EA0278CE5D65E184EF

+HHoTXy/uq1tKD9NqjSUAUj3BtO5BjPfONMENgaA8ClzttOwYITEZLZduMwWFRR6
JrKkI+y7AYZtERA6iStOLoDCIZMxKE72U3R3C2jMyWO9fcdE5XCbuDWds8CN7acC
zr8m9ETK9X4OnIEdA6lgDWUlXYhjKSkIGXDE/LaucsY=
-----END EC PRIVATE KEY-----
";
    const TRADITIONAL_DES3: &str = "-----BEGIN EC PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: DES-EDE3-CBC,6702EA40E9CC8374

r3aO75N+D5gtDJQfho9P3CRuKZV/UP65TWgDCpSmx0sE+M0H5VdOQ2m5rY7RkYSn
ANNZ8Etu1/ZvGMGTNT+b/p7RfLCjTkHcLd1FT6+AueGe0reBMIutl9V3E8Spv2CM
dXzVj5RbdQsehFnlMKUwWdVmO+GehGkZbKHWdQUla1o=
-----END EC PRIVATE KEY-----
";
    /// A 512-bit RSA key (small, for the test only), PKCS#1, and the same
    /// from `openssl rsa -traditional -aes128`.
    const PLAIN_RSA: &str = "-----BEGIN RSA PRIVATE KEY-----
MIIBOQIBAAJBAL2vOv2AkwuMprsCV5jjb1tlH4pfIDWo3Y9xorES3scB7oYD33Nv
tDaruCQ4r6qt+y3HsFnF5WPmAo/eus4hdfECAwEAAQJAWUWrQbvNeNYNcl4709zW
f/Er0vfKNPbwr54Pr77t0kKrCEcDfumj0LG3shq96hTwqbnd46VdH+4lWlPvV8gO
QQIhAOACFCDCQ5FxHV2yStR5+t/Nu3cGP62/lJncZysIKnstAiEA2MZAdE9CF1Tu
ZU19PnMKmPqz0Tvb/322lwKagbL60FUCIAenKobf/Cz431b3I2VU8YQ55CCx3vUR
qYMEK6YltkXVAiBBsYsU9HQOCBIbJymehFSg2dEmxqI8QkfUadiTF7+E5QIgdooS
iA8xudgR1jUNPAldtmC5OhVqW21duNkb3WmOneI=
-----END RSA PRIVATE KEY-----
";
    const TRADITIONAL_RSA_AES128: &str = "-----BEGIN RSA PRIVATE KEY-----
Proc-Type: 4,ENCRYPTED
DEK-Info: AES-128-CBC,3736AB9CBE5BA05F0E95E9E2BDA2F28A

tiJ5cJtxE3vs3+PEF3TowFPR+Ob1z9MGbC/iyJhQHAdx1OcvpFQJZxSAeE8vwVeG
MxpRvaruCyJzUy3Dh82lPonz+acVnIlM2up2rugaU1jGA1PywxhAWcM+xP54B+eD
arh5TMURZe18UIQP6oU5N55jhPnE7j9oWPL/ugGfZj5yfGSKZfrqpueJg7eOPDT8
NBYihNPEQtNEAkOz2Zi/eS3W+7cUxp+p9Z9ELP3eHjOleeBN+OYmVUzHIgNNB+0v
nLlmHavUHN9RdtE01tDec4CsZ33X4xMmgRmlhQyrIQP2Qw6Q0T2Buk0nZCGVx6EP
Yo1UdsUsOp2b3tsptGg35mSvFJeTP7AEFztcXg5LaUKbMXQLNV8Efn1KZXNxQ+lc
yGeERoBwfEzxRB9Qiax2j4RbiaaugPacmEyqOXKNM5Y=
-----END RSA PRIVATE KEY-----
";
    const PASSWORD: &str = "corr3ct horse";

    fn open(pem: &str, password: Option<&str>) -> Result<PrivateKeyDer<'static>, String> {
        let format = encrypted(pem.as_bytes()).unwrap();
        decrypt(pem.as_bytes(), format, password, "/k/amy.key")
    }

    #[test]
    fn openssls_pkcs8_keys_decrypt_to_the_key_it_encrypted() {
        let plain = PrivateKeyDer::from_pem_slice(PLAIN_PKCS8.as_bytes()).unwrap();
        for pem in [PBKDF2_AES256, SCRYPT_AES256, PBKDF2_SHA1_AES128] {
            assert_eq!(encrypted(pem.as_bytes()), Some(Format::Pkcs8));
            assert_eq!(open(pem, Some(PASSWORD)).unwrap(), plain);
        }
        // The same key as DER.
        let (_, der) = pkcs8::SecretDocument::from_pem(PBKDF2_AES256).unwrap();
        assert_eq!(encrypted(der.as_bytes()), Some(Format::Pkcs8));
        let key = decrypt(der.as_bytes(), Format::Pkcs8, Some(PASSWORD), "k").unwrap();
        assert_eq!(key, plain);
        // A plain key is not taken for an encrypted one.
        assert_eq!(encrypted(PLAIN_PKCS8.as_bytes()), None);
        let (_, plain_der) = pkcs8::SecretDocument::from_pem(PLAIN_PKCS8).unwrap();
        assert_eq!(encrypted(plain_der.as_bytes()), None);
    }

    #[test]
    fn openssls_traditional_keys_decrypt_to_the_key_it_encrypted() {
        let plain = PrivateKeyDer::from_pem_slice(PLAIN_SEC1.as_bytes()).unwrap();
        for pem in [TRADITIONAL_AES256, TRADITIONAL_DES3] {
            assert_eq!(encrypted(pem.as_bytes()), Some(Format::Traditional));
            assert_eq!(open(pem, Some(PASSWORD)).unwrap(), plain);
        }
        let rsa = PrivateKeyDer::from_pem_slice(PLAIN_RSA.as_bytes()).unwrap();
        assert!(matches!(rsa, PrivateKeyDer::Pkcs1(_)));
        assert_eq!(open(TRADITIONAL_RSA_AES128, Some(PASSWORD)).unwrap(), rsa);
    }

    #[test]
    fn a_wrong_or_missing_password_is_said_without_the_password_or_the_key() {
        for pem in [
            PBKDF2_AES256,
            SCRYPT_AES256,
            TRADITIONAL_AES256,
            TRADITIONAL_DES3,
        ] {
            let text = open(pem, Some("horse battery")).unwrap_err();
            assert!(
                text.contains("/k/amy.key (sslkey) cannot be decrypted with the sslpassword"),
                "{text}"
            );
            assert!(!text.contains("horse battery"), "{text}");
            for missing in [None, Some("")] {
                let text = open(pem, missing).unwrap_err();
                assert!(text.contains("no sslpassword is given"), "{text}");
                assert!(text.contains("sslpassword=PASSPHRASE"), "{text}");
            }
        }
        let text = open(TRADITIONAL_AES256, None).unwrap_err();
        assert!(text.contains("Proc-Type: 4,ENCRYPTED"), "{text}");
        // No line of a key's base64 reaches a message.
        let text = open(PBKDF2_AES256, Some("x")).unwrap_err();
        assert!(!text.contains("MIHsMFcG"), "{text}");
    }

    #[test]
    fn a_format_that_cannot_be_decrypted_is_named() {
        let text = open(PKCS12_3DES, Some(PASSWORD)).unwrap_err();
        assert!(
            text.contains("encrypted with PKCS#12 pbeWithSHAAnd3-KeyTripleDES-CBC"),
            "{text}"
        );
        assert!(
            text.contains("openssl pkcs8 -topk8 -v2 aes-256-cbc"),
            "{text}"
        );
        let camellia = TRADITIONAL_AES256.replace("AES-256-CBC", "CAMELLIA-256-CBC");
        let text = open(&camellia, Some(PASSWORD)).unwrap_err();
        assert!(
            text.contains("the traditional PEM cipher CAMELLIA-256-CBC"),
            "{text}"
        );
    }

    #[test]
    fn evp_bytes_to_key_is_openssls() {
        // `openssl enc -aes-256-cbc -P -md md5 -S 0102030405060708 -pass
        // pass:corr3ct\ horse` prints this key.
        let key = super::bytes_to_key(PASSWORD.as_bytes(), &[1, 2, 3, 4, 5, 6, 7, 8], 32);
        assert_eq!(super::hex(EVP_KEY), Some(key));
    }

    const EVP_KEY: &str = "63D72BF8F18BA52238055418F06442900FCEF21B40E26C285E95717ACC05C238";
}
