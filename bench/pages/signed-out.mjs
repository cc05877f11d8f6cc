document.body.dataset.signedOut = 'true';
