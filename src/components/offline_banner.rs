use leptos::prelude::*;

use crate::rpc::account::load_app_info;

/// A banner on every page while no Stripe keys are configured, so nobody mistakes the
/// emulator for real payments.
#[component]
pub fn OfflineBanner() -> impl IntoView {
    let info = OnceResource::new(load_app_info());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                info.await.ok().filter(|info| info.offline_test_mode).map(|_| view! {
                    <div class="offline-banner" role="status" data-testid="offline-banner">
                        <strong>"Offline test mode. "</strong>
                        "No Stripe keys are configured: payments go to the built-in Stripe emulator and no real money moves."
                    </div>
                })
            })}
        </Suspense>
    }
}
