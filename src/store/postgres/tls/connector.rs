//! The TLS of each connection: the rustls settings made again from the
//! settings' files ([`Plan::build`]), so a file changed on disk between two
//! connections holds from the second on, and, with `sslcertmode=require`, a
//! check that the server asked for the client certificate during the
//! handshake (libpq's "server did not request an SSL certificate"). The
//! handshake itself is tokio-postgres-rustls's.

use super::Plan;
use postgres::Socket;
use postgres::tls::{MakeTlsConnect, TlsConnect};
use rustls::client::ResolvesClientCert;
use rustls::{SignatureScheme, sign};
use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use tokio_postgres_rustls::MakeRustlsConnect;

type Stream = <MakeRustlsConnect as MakeTlsConnect<Socket>>::Stream;
type Handshake = Pin<Box<dyn Future<Output = Result<Stream, std::io::Error>> + Send>>;

/// How sslcertmode=require's refusal starts.
pub(super) const NOT_ASKED: &str = "the server did not request a client certificate";

/// Makes each connection's TLS from its [`Plan`].
#[derive(Clone)]
pub(super) struct Connector {
    plan: Arc<Plan>,
    /// The rustls settings made when the settings were checked, used by the
    /// first connection (not made twice in a row).
    first: Arc<Mutex<Option<rustls::ClientConfig>>>,
}

impl Connector {
    pub(super) fn new(plan: Plan, first: rustls::ClientConfig) -> Connector {
        Connector {
            plan: Arc::new(plan),
            first: Arc::new(Mutex::new(Some(first))),
        }
    }
}

impl MakeTlsConnect<Socket> for Connector {
    type Stream = Stream;
    type TlsConnect = Connect;
    type Error = std::convert::Infallible;

    fn make_tls_connect(&mut self, domain: &str) -> Result<Connect, Self::Error> {
        Ok(Connect {
            connector: self.clone(),
            domain: domain.to_string(),
        })
    }
}

/// One connection's TLS handshake, its files read when TLS begins (not for
/// a plain connection, as libpq).
pub(super) struct Connect {
    connector: Connector,
    domain: String,
}

impl TlsConnect<Socket> for Connect {
    type Stream = Stream;
    type Error = std::io::Error;
    type Future = Handshake;

    fn connect(self, stream: Socket) -> Handshake {
        let Connector { plan, first } = self.connector;
        let stashed = first.lock().ok().and_then(|mut first| first.take());
        let tls = match stashed {
            Some(tls) => tls,
            None => match plan.build() {
                Ok(built) => built.tls,
                Err(e) => return Box::pin(std::future::ready(Err(std::io::Error::other(e)))),
            },
        };
        let asked = Arc::new(AtomicBool::new(false));
        let required = plan.cert_required();
        let mut tls = tls;
        if required {
            tls.client_auth_cert_resolver = Arc::new(Asked {
                inner: tls.client_auth_cert_resolver.clone(),
                asked: asked.clone(),
            });
        }
        let Ok(inner) = MakeTlsConnect::<Socket>::make_tls_connect(
            &mut MakeRustlsConnect::new(tls),
            &self.domain,
        );
        let handshake = inner.connect(stream);
        Box::pin(async move {
            let stream = handshake.await?;
            if required && !asked.load(Ordering::SeqCst) {
                return Err(std::io::Error::other(format!(
                    "{NOT_ASKED} (sslcertmode=require; PostgreSQL asks for one only when its \
                     ssl_ca_file is set)"
                )));
            }
            Ok(stream)
        })
    }
}

/// The client certificate resolver, recording whether the server asked for
/// a certificate (rustls asks the resolver only on a CertificateRequest).
#[derive(Debug)]
struct Asked {
    inner: Arc<dyn ResolvesClientCert>,
    asked: Arc<AtomicBool>,
}

impl ResolvesClientCert for Asked {
    fn resolve(
        &self,
        root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<sign::CertifiedKey>> {
        self.asked.store(true, Ordering::SeqCst);
        self.inner.resolve(root_hint_subjects, sigschemes)
    }

    fn only_raw_public_keys(&self) -> bool {
        self.inner.only_raw_public_keys()
    }

    fn has_certs(&self) -> bool {
        self.inner.has_certs()
    }
}
