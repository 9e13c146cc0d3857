//! Which address a request comes from, for the per-client sign-in limit. The socket's peer,
//! unless that peer is one of `TRUSTED_PROXIES`: then `X-Forwarded-For`, read from the right
//! (the hop our proxy added) past every trusted proxy, since anything further left is whatever
//! the client chose to send.

use std::net::{IpAddr, SocketAddr};

use axum::extract::ConnectInfo;
use axum::http::HeaderMap;
use axum::http::request::Parts;
use ipnet::IpNet;

use crate::error::AppError;

const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address, as [`client_ip`] decides it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientAddr(pub IpAddr);

impl ClientAddr {
    /// From a request's parts; the server passes the socket's peer (`ConnectInfo`) to every
    /// request, so its absence is a wiring fault, not a client error.
    pub fn from_parts(parts: &Parts, trusted: &[IpNet]) -> Result<Self, AppError> {
        let ConnectInfo(peer) = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .ok_or_else(|| {
                tracing::error!("the server was started without the peer's address (ConnectInfo)");
                AppError::Internal
            })?;
        Ok(ClientAddr(client_ip(peer.ip(), &parts.headers, trusted)))
    }
}

pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpNet]) -> IpAddr {
    let is_trusted = |ip: &IpAddr| trusted.iter().any(|net| net.contains(ip));
    if !is_trusted(&peer) {
        return peer;
    }
    // Several headers count as one list, in order.
    let hops: Vec<&str> = headers
        .get_all(X_FORWARDED_FOR)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .map(str::trim)
        .collect();
    let mut client = peer;
    for hop in hops.iter().rev() {
        // A hop that is not an address ends what can be believed: the last trusted one stands.
        let Ok(ip) = hop.parse::<IpAddr>() else {
            break;
        };
        client = ip;
        if !is_trusted(&ip) {
            break;
        }
    }
    client
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn forwarded(values: &[&str]) -> HeaderMap {
        let mut headers = HeaderMap::new();
        for v in values {
            headers.append(X_FORWARDED_FOR, HeaderValue::from_str(v).unwrap());
        }
        headers
    }

    fn proxies() -> Vec<IpNet> {
        vec!["10.0.0.0/8".parse().unwrap()]
    }

    #[test]
    fn an_untrusted_peer_is_the_client_whatever_it_forwards() {
        let h = forwarded(&["198.51.100.9"]);
        assert_eq!(
            client_ip(ip("203.0.113.5"), &h, &proxies()),
            ip("203.0.113.5")
        );
        assert_eq!(client_ip(ip("10.0.0.2"), &h, &[]), ip("10.0.0.2"));
    }

    #[test]
    fn behind_trusted_proxies_the_rightmost_untrusted_hop_is_the_client() {
        let h = forwarded(&["1.2.3.4, 198.51.100.9", "10.0.0.3"]);
        assert_eq!(
            client_ip(ip("10.0.0.2"), &h, &proxies()),
            ip("198.51.100.9")
        );
    }

    #[test]
    fn a_malformed_or_missing_header_leaves_the_last_trusted_hop() {
        assert_eq!(
            client_ip(
                ip("10.0.0.2"),
                &forwarded(&["nonsense, 10.0.0.3"]),
                &proxies()
            ),
            ip("10.0.0.3")
        );
        assert_eq!(
            client_ip(ip("10.0.0.2"), &HeaderMap::new(), &proxies()),
            ip("10.0.0.2")
        );
    }
}
