"""Issue 11: the shipped connectors ship their texts as the original's WARs did, a resource bundle each in
``WEB-INF/classes/locale/<name>/`` declared by a BaseResourceBundlePlugin in their configuration, merged with the
core's into the catalogue the pages give the browser module."""
from __future__ import annotations

from webconferencing.bundles import ResourceBundleService

from .conftest import extensions_with


def test_the_product_merges_the_cores_and_both_connectors_bundles(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "myconnector", "webrtc"))
    bundles = container.get_component_instance_of_type(ResourceBundleService)
    assert sorted(bundles.get_shared_resource_bundle_names()) == [
        "locale.myconnector.MyConnector", "locale.webconferencing.WebConferencingClient", "locale.webrtc.WebRTC"]
    assert [str(p) for p in container.problems if "ResourceBundle" in str(p)] == []
    french = bundles.get_portal_catalogue("fr")
    assert (french["myconnector.button.callWith"], french["webrtc.button.call"], french["webconferencing.ended"]) == (
        "Appeler avec {0}", "Appel vidéo", "Appel terminé")


def test_a_connector_left_out_takes_its_texts_with_it(boot_product, tmp_path):
    container = boot_product(extensions_with(tmp_path, "webrtc"))
    catalogue = container.get_component_instance_of_type(ResourceBundleService).get_portal_catalogue("en")
    assert "webrtc.button.call" in catalogue
    assert not [key for key in catalogue if key.startswith("myconnector.")]
