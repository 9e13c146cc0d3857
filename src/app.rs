//! The page shell and the routes.

use leptos::prelude::*;
use leptos_meta::{Link, MetaTags, Title, provide_meta_context};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

use crate::components::billing::BillingPage;
use crate::components::locale::{page_locale, provide_locale};
use crate::components::login_page::LoginPage;
use crate::components::not_found_page::NotFoundPage;
use crate::components::offline_banner::OfflineBanner;
use crate::components::preloads;
use crate::components::session_purchase::SessionPurchasePage;
use crate::components::transfer_page::TransferPage;

/// The page around the app, rendered on the server only; `stylesheet` is the CSS file's URL
/// (named by its content in a release build).
pub fn shell(options: LeptosOptions, stylesheet: String) -> impl IntoView {
    // Only pages with islands load the wasm; the others are plain HTML that works as it is.
    let scripts = page_has_islands().then(|| {
        let hydration = view! { <HydrationScripts options=options.clone() islands=true/> };
        view! { {hydration} {preloads::split_loader()} }
    });
    if scripts.is_none() {
        // What HydrationScripts does in islands mode: nothing outside islands is hydrated, so
        // the server writes no hydration markers or resource data for it.
        if let Some(context) = Owner::current_shared_context() {
            context.set_is_hydrating(false);
        }
    }
    view! {
        <!DOCTYPE html>
        <html lang=page_locale().tag()>
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <AutoReload options=options.clone()/>
                <link rel="stylesheet" id="leptos" href=stylesheet/>
                {scripts}
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
                    <Route
                        path=(
                            StaticSegment("billing"),
                            StaticSegment("purchases"),
                            ParamSegment("id"),
                            StaticSegment("transfer"),
                        )
                        view=TransferPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
        </Router>
    }
}

/// The billing pages hold islands (the lists, the forms that pay); sign-in is a plain form and
/// the not-found page is text, so a browser downloads no wasm for them.
fn page_has_islands() -> bool {
    #[cfg(feature = "ssr")]
    let path = use_context::<http::request::Parts>().map(|request| request.uri.path().to_owned());
    #[cfg(not(feature = "ssr"))]
    let path: Option<String> = None;
    path.is_some_and(|path| path == "/billing" || path.starts_with("/billing/"))
}
