package firehoseapi

// Freshet is self-hosted: destinations are often plain HTTP on a local
// port, where AWS's model demands https. botocore does not check patterns
// on the client side, so only the server's validation needs relaxing.
func init() {
	shapeHttpEndpointUrl.Pattern = "https?://.*"
	shapeAmazonopensearchserviceClusterEndpoint.Pattern = "https?:.*"
	shapeElasticsearchClusterEndpoint.Pattern = "https?:.*"
	shapeAmazonOpenSearchServerlessCollectionEndpoint.Pattern = "https?:.*"
}
