//! The checks of the server's certificate (see the table of `tls.rs`):
//! [`Checked`] with root certificates, [`Unchecked`] without.
//!
//! Signed by the root certificate: webpki's chain check, with the revocation
//! lists when there are any (every certificate of the chain but the root
//! must then be covered by an unexpired list of its issuer, as OpenSSL's
//! `X509_V_FLAG_CRL_CHECK_ALL` which libpq sets). It is made on its own,
//! before and apart from any name: verify-ca asks nothing more, whatever
//! order a combined check would find faults in. For the host name
//! (verify-full): webpki's subjectAltName check, and where it refuses,
//! libpq's own rule ([`super::names`]), which also takes the Common Name of
//! a certificate with no subjectAltName of the host's type.

use super::names;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, ServerName, UnixTime};
use rustls::server::ParsedCertificate;
use rustls::{CertificateError, DigitallySignedStruct, RootCertStore, SignatureScheme};
use std::sync::Arc;
use webpki::{
    CertRevocationList, ExpirationPolicy, OwnedCertRevocationList, RevocationCheckDepth,
    RevocationOptionsBuilder, UnknownStatusPolicy,
};

/// How a refusal of [`libpq_name_check`] or [`revocation_in_words`] starts
/// (found again by [`super::in_words`]).
pub(super) const NAME_MARK: &str = "the server's certificate";

/// The certificate signed by one of the root certificates, and, when
/// `host_name`, for the host connected to (verify-full); verify-ca checks
/// the chain only.
#[derive(Debug)]
pub(super) struct Checked {
    roots: RootCertStore,
    crls: Vec<CertRevocationList<'static>>,
    provider: Arc<CryptoProvider>,
    host_name: bool,
    /// The revocation list files read, with their settings (for messages).
    crl_files: String,
}

impl Checked {
    /// The check against `roots` and the revocation lists `crls` (read from
    /// `crl_files`, for messages), of the name too when `host_name`.
    pub(super) fn new(
        roots: RootCertStore,
        crls: Vec<CertificateRevocationListDer<'static>>,
        crl_files: String,
        provider: Arc<CryptoProvider>,
        host_name: bool,
    ) -> Result<Checked, String> {
        let crls = crls
            .iter()
            .map(|der| OwnedCertRevocationList::from_der(der.as_ref()).map(Into::into))
            .collect::<Result<Vec<CertRevocationList<'static>>, _>>()
            .map_err(|e| {
                format!("the certificate revocation lists ({crl_files}) cannot be used: {e}")
            })?;
        Ok(Checked {
            roots,
            crls,
            provider,
            host_name,
            crl_files,
        })
    }

    /// webpki's chain check of `end_entity` up to one of the roots, for a
    /// server, with the revocation lists when there are any (every
    /// certificate of the chain, an unknown status refused, an expired list
    /// refused, as OpenSSL with libpq's `X509_V_FLAG_CRL_CHECK_ALL`). No
    /// name is looked at.
    fn chain(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        now: UnixTime,
    ) -> Result<(), rustls::Error> {
        let cert = webpki::EndEntityCert::try_from(end_entity)
            .map_err(|_| rustls::Error::InvalidCertificate(CertificateError::BadEncoding))?;
        let crls: Vec<&CertRevocationList<'_>> = self.crls.iter().collect();
        let revocation = RevocationOptionsBuilder::new(&crls).ok().map(|builder| {
            builder
                .with_depth(RevocationCheckDepth::Chain)
                .with_status_policy(UnknownStatusPolicy::Deny)
                .with_expiration_policy(ExpirationPolicy::Enforce)
                .build()
        });
        cert.verify_for_usage(
            self.provider.signature_verification_algorithms.all,
            &self.roots.roots,
            intermediates,
            now,
            webpki::KeyUsage::server_auth(),
            revocation,
            None,
        )
        .map(|_| ())
        .map_err(|e| chain_refusal(e, &self.crl_files))
    }
}

/// webpki's refusal of a chain as rustls says it (its `pki_error`, for the
/// refusals our words name), revocation in words naming the lists read.
fn chain_refusal(error: webpki::Error, crl_files: &str) -> rustls::Error {
    use webpki::Error as E;
    let why = match error {
        E::UnknownIssuer => CertificateError::UnknownIssuer,
        E::InvalidSignatureForPublicKey => CertificateError::BadSignature,
        E::CertExpired { time, not_after } => CertificateError::ExpiredContext { time, not_after },
        E::CertNotValidYet { time, not_before } => {
            CertificateError::NotValidYetContext { time, not_before }
        }
        E::BadDer | E::BadDerTime => CertificateError::BadEncoding,
        E::CertRevoked => CertificateError::Revoked,
        E::UnknownRevocationStatus => CertificateError::UnknownRevocationStatus,
        E::CrlExpired { time, next_update } => {
            CertificateError::ExpiredRevocationListContext { time, next_update }
        }
        E::CaUsedAsEndEntity | E::EndEntityUsedAsCa | E::RequiredEkuNotFoundContext(_) => {
            CertificateError::InvalidPurpose
        }
        other => CertificateError::Other(rustls::OtherError(Arc::new(other))),
    };
    revocation_in_words(why, crl_files)
}

impl ServerCertVerifier for Checked {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The chain first, on its own: verify-ca asks nothing more.
        self.chain(end_entity, intermediates, now)?;
        if !self.host_name {
            return Ok(ServerCertVerified::assertion());
        }
        let parsed = ParsedCertificate::try_from(end_entity)?;
        match rustls::client::verify_server_name(&parsed, server_name) {
            Ok(()) => Ok(ServerCertVerified::assertion()),
            Err(
                refused @ rustls::Error::InvalidCertificate(
                    CertificateError::NotValidForName
                    | CertificateError::NotValidForNameContext { .. },
                ),
            ) => libpq_name_check(end_entity, server_name, refused),
            Err(other) => Err(other),
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.provider.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider
            .signature_verification_algorithms
            .supported_schemes()
    }
}

/// verify-full for a certificate whose chain webpki verified but whose
/// names it `refused`: libpq's rule ([`names`]) decides, and a certificate
/// refused by that too is refused saying which names it has.
fn libpq_name_check(
    cert: &CertificateDer<'_>,
    server_name: &ServerName<'_>,
    refused: rustls::Error,
) -> Result<ServerCertVerified, rustls::Error> {
    let (Some(names), Some(host)) = (names::Names::of(cert), names::Host::of(server_name)) else {
        return Err(refused);
    };
    if names.match_host(&host) {
        return Ok(ServerCertVerified::assertion());
    }
    // webpki's refusal lists the subjectAltName entries; one without any
    // is refused naming its Common Name instead.
    match &names.common_name {
        Some(cn) if names.dns.is_empty() && names.ips.is_empty() => {
            Err(rustls::Error::General(format!(
                "{NAME_MARK} is made out to \"{cn}\" (its Common Name; it has no \
                 subjectAltName), not to the host name \"{}\" (sslmode=verify-full)",
                host.text
            )))
        }
        _ => Err(refused),
    }
}

/// A refusal of the server's certificate chain `why`, in words naming the
/// revocation list files `crls` when it is about revocation.
fn revocation_in_words(why: CertificateError, crls: &str) -> rustls::Error {
    let said = match &why {
        CertificateError::Revoked => "is revoked by a certificate revocation list read".to_string(),
        CertificateError::UnknownRevocationStatus => {
            "(or one of its chain) cannot be checked for revocation: no certificate revocation \
             list read is from the authority that signed it"
                .to_string()
        }
        CertificateError::ExpiredRevocationList
        | CertificateError::ExpiredRevocationListContext { .. } => {
            format!("cannot be checked for revocation: {why}")
        }
        _ => return rustls::Error::InvalidCertificate(why),
    };
    rustls::Error::General(format!("{NAME_MARK} {said} ({crls})"))
}

/// Any certificate (require without a root certificate, as libpq): the
/// connection is encrypted, and the handshake's signatures are still checked
/// against the certificate the server sent.
#[derive(Debug)]
pub(super) struct Unchecked(pub(super) Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
