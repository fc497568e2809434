// "Use my current location" for location questions. Progressive enhancement: without this file
// (or without geolocation) the description box is enough. No inline script, so the CSP holds.
for (const group of document.querySelectorAll('[data-module="journey-location"]')) {
  const controls = group.querySelector(".journey-location__controls");
  const button = group.querySelector('[data-journey-location="locate"]');
  const status = group.querySelector('[data-journey-location="status"]');
  const lat = group.querySelector('[data-journey-location="lat"]');
  const lng = group.querySelector('[data-journey-location="lng"]');
  if (!("geolocation" in navigator) || !controls || !button || !lat || !lng) continue;
  controls.hidden = false;
  button.addEventListener("click", () => {
    status.textContent = status.dataset.finding;
    navigator.geolocation.getCurrentPosition(
      (position) => {
        lat.value = position.coords.latitude.toFixed(6);
        lng.value = position.coords.longitude.toFixed(6);
        status.textContent = status.dataset.found;
      },
      () => {
        status.textContent = status.dataset.failed;
      },
      { enableHighAccuracy: true, timeout: 15000 },
    );
  });
}
