//! Whether the server's certificate is made out to the host connected to,
//! by libpq's rule (PostgreSQL's `fe-secure-openssl.c`,
//! `pgtls_verify_peer_name_matches_certificate_guts`, and
//! `fe-secure-common.c`), for the certificates webpki's stricter rule
//! refuses. The certificate's chain has been verified by webpki before this
//! is asked.
//!
//! libpq's rule: the host name is compared with each subjectAltName of type
//! dNSName (case-insensitively, `*.` matching one leftmost label), and an IP
//! address host with each of type iPAddress (byte for byte); only when the
//! certificate has no subjectAltName of the host's own type (dNSName for a
//! name, iPAddress for an address) is the host compared with the subject's
//! (first) Common Name, by the same name rule.

use rustls::pki_types::{CertificateDer, ServerName};
use std::net::IpAddr;
use x509_cert::Certificate;
use x509_cert::der::Decode;
use x509_cert::der::oid::{AssociatedOid, ObjectIdentifier};
use x509_cert::ext::pkix::SubjectAltName;
use x509_cert::ext::pkix::name::GeneralName;

/// The Common Name attribute (`2.5.4.3`, RFC 4519).
const COMMON_NAME: ObjectIdentifier = ObjectIdentifier::new_unwrap("2.5.4.3");

/// The names a certificate is made out to, as libpq reads them.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Names {
    /// subjectAltName entries of type dNSName (their bytes as text).
    pub dns: Vec<String>,
    /// subjectAltName entries of type iPAddress (their 4 or 16 bytes).
    pub ips: Vec<Vec<u8>>,
    /// The subject's first Common Name, when it has one and it is text.
    pub common_name: Option<String>,
}

impl Names {
    /// The names of the DER certificate `cert`; `None` when it does not
    /// parse (webpki has then refused it already).
    pub(super) fn of(cert: &CertificateDer<'_>) -> Option<Names> {
        let cert = Certificate::from_der(cert.as_ref()).ok()?;
        let tbs = &cert.tbs_certificate;
        let mut names = Names {
            common_name: tbs
                .subject
                .0
                .iter()
                .flat_map(|rdn| rdn.0.iter())
                .find(|atv| atv.oid == COMMON_NAME)
                .and_then(|atv| String::from_utf8(atv.value.value().to_vec()).ok()),
            ..Names::default()
        };
        let extensions = tbs.extensions.as_deref().unwrap_or_default();
        for ext in extensions
            .iter()
            .filter(|e| e.extn_id == SubjectAltName::OID)
        {
            let san = SubjectAltName::from_der(ext.extn_value.as_bytes()).ok()?;
            for name in san.0 {
                match name {
                    GeneralName::DnsName(dns) => names.dns.push(dns.as_str().to_string()),
                    GeneralName::IpAddress(ip) => names.ips.push(ip.as_bytes().to_vec()),
                    _ => {}
                }
            }
        }
        Some(names)
    }

    /// Whether libpq takes these names as the host `host`'s.
    pub(super) fn match_host(&self, host: &Host) -> bool {
        if self.dns.iter().any(|name| name_matches(name, &host.text)) {
            return true;
        }
        if let Some(ip) = host.ip
            && self.ips.iter().any(|bytes| ip_bytes(ip) == *bytes)
        {
            return true;
        }
        self.common_name_counts(host)
            && self
                .common_name
                .as_deref()
                .is_some_and(|cn| name_matches(cn, &host.text))
    }

    /// Whether libpq looks at the Common Name for `host`: only when the
    /// certificate has no subjectAltName of the host's type.
    pub(super) fn common_name_counts(&self, host: &Host) -> bool {
        if host.ip.is_some() {
            self.ips.is_empty()
        } else {
            self.dns.is_empty()
        }
    }
}

/// The host connected to, as written (the text libpq compares) and, when it
/// is an IP address, that address.
pub(super) struct Host {
    pub text: String,
    pub ip: Option<IpAddr>,
}

impl Host {
    pub(super) fn of(server: &ServerName<'_>) -> Option<Host> {
        match server {
            ServerName::DnsName(name) => Some(Host {
                text: name.as_ref().to_string(),
                ip: None,
            }),
            ServerName::IpAddress(ip) => {
                let ip = IpAddr::from(*ip);
                Some(Host {
                    text: ip.to_string(),
                    ip: Some(ip),
                })
            }
            _ => None,
        }
    }
}

fn ip_bytes(ip: IpAddr) -> Vec<u8> {
    match ip {
        IpAddr::V4(v4) => v4.octets().to_vec(),
        IpAddr::V6(v6) => v6.octets().to_vec(),
    }
}

/// libpq's name rule: equal ignoring ASCII case, or `*.rest` with `rest`
/// the host's ending and no dot in what the `*` stands for; a name with a
/// NUL in it matches nothing.
fn name_matches(name: &str, host: &str) -> bool {
    if name.contains('\0') {
        return false;
    }
    if name.eq_ignore_ascii_case(host) {
        return true;
    }
    // fe-secure-common.c wildcard_certificate_match.
    let Some(suffix) = name.strip_prefix('*') else {
        return false;
    };
    if name.len() < 3 || !suffix.starts_with('.') || name.len() > host.len() {
        return false;
    }
    let cut = host.len() - suffix.len();
    let (Some(label), Some(ending)) = (host.get(..cut), host.get(cut..)) else {
        return false;
    };
    ending.eq_ignore_ascii_case(suffix) && !label.contains('.')
}

#[cfg(test)]
mod tests {
    use super::{Host, Names, name_matches};
    use std::net::IpAddr;

    fn host(text: &str) -> Host {
        Host {
            text: text.to_string(),
            ip: text.parse::<IpAddr>().ok(),
        }
    }

    #[test]
    fn a_name_matches_as_libpq_matches_it() {
        assert!(name_matches("db.example", "DB.Example"));
        assert!(name_matches("*.example", "db.example"));
        assert!(name_matches("*.Example", "db.example"));
        // The star stands for one label, never for dots or for nothing.
        assert!(!name_matches("*.example", "a.db.example"));
        assert!(!name_matches("*.example", ".example"));
        assert!(!name_matches("*.example", "example"));
        // Only a leading "*." is a wildcard.
        assert!(!name_matches("db*.example", "db1.example"));
        assert!(!name_matches("*example", "dbexample"));
        assert!(!name_matches("db.example\0.evil", "db.example"));
        assert!(!name_matches("db.example", "db.example.evil"));
    }

    #[test]
    fn the_common_name_counts_only_without_a_subject_alt_name_of_the_hosts_type() {
        let cn_only = Names {
            common_name: Some("db.example".into()),
            ..Names::default()
        };
        assert!(cn_only.match_host(&host("db.example")));
        assert!(!cn_only.match_host(&host("other.example")));
        let with_dns = Names {
            dns: vec!["other.example".into()],
            common_name: Some("db.example".into()),
            ..Names::default()
        };
        assert!(!with_dns.match_host(&host("db.example")));
        assert!(with_dns.match_host(&host("other.example")));
        // An address host: a dNSName does not hide the Common Name, an
        // iPAddress does.
        let ip_cn = Names {
            dns: vec!["db.example".into()],
            common_name: Some("10.0.0.5".into()),
            ..Names::default()
        };
        assert!(ip_cn.match_host(&host("10.0.0.5")));
        let ip_san = Names {
            ips: vec![vec![10, 0, 0, 6]],
            common_name: Some("10.0.0.5".into()),
            ..Names::default()
        };
        assert!(!ip_san.match_host(&host("10.0.0.5")));
        assert!(ip_san.match_host(&host("10.0.0.6")));
    }
}
