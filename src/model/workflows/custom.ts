// A custom redemption workflow. Return { success, statusCode?, action?: "navigate", url?, properties?, message? }.
export default async function ({ offer, identity }: { offer: { id: string }; identity: { type: string; identifier: string } }) {
  console.log("redeeming", offer.id, "for", identity.identifier);
  return { success: true, message: "Redeemed" };
}
