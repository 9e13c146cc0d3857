//! The page shell and the routes.

use leptos::prelude::*;
use leptos_meta::{Link, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{SsrMode, StaticSegment};

use crate::components::billing::BillingPage;
use crate::components::locale::{page_locale, provide_locale};
use crate::components::login_page::LoginPage;
use crate::components::not_found_page::NotFoundPage;
use crate::components::offline_banner::OfflineBanner;
use crate::components::session_purchase::SessionPurchasePage;

/// The page around the app, rendered on the server only; `stylesheet` is the CSS file's URL
/// (named by its content in a release build).
pub fn shell(options: LeptosOptions, stylesheet: String) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang=page_locale().tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <link rel="stylesheet" id="leptos" href=stylesheet/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    provide_locale();
    // Effects run only in the browser, after hydration: the attribute tells end-to-end tests
    // (and anyone inspecting the page) that it is interactive now.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });

    view! {
        <Link rel="icon" href="/favicon.ico"/>
        <Title formatter=|page: String| format!("{page} · Octavia Billing")/>
        <Router>
            <OfflineBanner/>
            <main>
                <Routes fallback=|| view! { <NotFoundPage/> }>
                    <Route path=StaticSegment("") view=|| view! { <Redirect path="/billing"/> }/>
                    // Async: the whole page is rendered before the response starts, so a
                    // redirect (signed out on billing, signed in on sign-in) gets a real
                    // redirect status instead of a streamed page.
                    <Route path=StaticSegment("login") view=LoginPage ssr=SsrMode::Async/>
                    <Route path=StaticSegment("billing") view=BillingPage ssr=SsrMode::Async/>
                    <Route
                        path=(StaticSegment("billing"), StaticSegment("purchase"))
                        view=SessionPurchasePage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}
