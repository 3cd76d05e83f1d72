// The Stripe Checkout schema's default workflow.
// `offer.redemption.instructions` holds the Checkout Session parameters built from the offer
// (mode, line_items from its prices, plus the offer's own instructions). `settings` holds this
// method's URLs, edited on its Manage tab.
type Input = {
  offer: { id: string; token: string; redemption: { instructions: Record<string, unknown> } };
  identity: { type: "anonymous" | "authenticated"; identifier: string };
  integrations: { stripe: { request(req: { method: string; path: string; body?: unknown }): Promise<{ ok: boolean; status: number; data: any }> } };
  settings: { successUrl: string; cancelUrl: string; signupUrl: string };
};

// A method's URLs are set on its Manage tab; until they are, redeeming answers which one is missing.
function missing(name: string) {
  return {
    success: false,
    statusCode: 409,
    message: `This redemption method has no ${name} yet: set it on the method's Manage tab (Offers → Redemption methods → Manage).`,
  };
}

export default async function ({ offer, identity, integrations, settings }: Input) {
  if (identity.type === "anonymous") {
    if (!settings.signupUrl) return missing("sign-up URL");
    // Sign up first; the same token can be redeemed once the user is known.
    const join = settings.signupUrl.includes("?") ? "&" : "?";
    return {
      success: false,
      statusCode: 401,
      action: "navigate",
      url: `${settings.signupUrl}${join}offerToken=${encodeURIComponent(offer.token)}`,
    };
  }

  if (!settings.successUrl) return missing("success URL");
  if (!settings.cancelUrl) return missing("cancel URL");

  const session = await integrations.stripe.request({
    method: "POST",
    path: "/v1/checkout/sessions",
    body: {
      success_url: settings.successUrl,
      cancel_url: settings.cancelUrl,
      client_reference_id: identity.identifier,
      ...offer.redemption.instructions,
    },
  });

  if (!session.ok || !session.data?.url) {
    console.log("Stripe refused the Checkout Session:", session.status, session.data?.error?.message);
    return {
      success: false,
      statusCode: 502,
      message: session.data?.error?.message ?? "Failed to create checkout session",
    };
  }
  return { success: true, action: "navigate", url: session.data.url };
}
