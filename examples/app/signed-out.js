// The post_logout_redirect_uri page.
const result = document.getElementById('result');
result.textContent = 'You are signed out.';
document.body.dataset.ready = 'true';
