"""The web app's views: thin, each resolves the member's organization and renders one template."""
