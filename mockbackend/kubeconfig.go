package mockbackend

import (
	"fmt"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// KubeconfigName names the cluster, user and context of the kubeconfig
// Kubeconfig builds.
const KubeconfigName = "oranbench-mock"

// KubeconfigNamespace is the namespace of that context, the one the Porch
// fixtures and kubectl examples use.
const KubeconfigNamespace = "default"

// Kubeconfig returns a kubeconfig for this server: a cluster with its URL
// and, over TLS, its CA (certificate-authority-data), a user with the
// bearer token (none when token is empty), and a context of the two in
// namespace default, made current. A caller may add client certificate data
// to the user before writing it with clientcmd.WriteToFile, or use
// WriteKubeconfig.
func (s *Server) Kubeconfig(token string) *clientcmdapi.Config {
	c := clientcmdapi.NewConfig()
	cluster := clientcmdapi.NewCluster()
	cluster.Server = s.URL()
	cluster.CertificateAuthorityData = s.CACertPEM()
	c.Clusters[KubeconfigName] = cluster
	user := clientcmdapi.NewAuthInfo()
	user.Token = token
	c.AuthInfos[KubeconfigName] = user
	ctx := clientcmdapi.NewContext()
	ctx.Cluster, ctx.AuthInfo, ctx.Namespace = KubeconfigName, KubeconfigName, KubeconfigNamespace
	c.Contexts[KubeconfigName] = ctx
	c.CurrentContext = KubeconfigName
	return c
}

// WriteKubeconfig writes Kubeconfig(token) to path (clientcmd's v1 format,
// mode 0600: it holds the token), so that kubectl --kubeconfig, client-go's
// loading rules or a scenario's kubeconfig reach this server. An empty
// token writes the server's BearerToken. Like WriteCACert it refuses a path
// that is a symbolic link or not a regular file.
func (s *Server) WriteKubeconfig(path, token string) error {
	if token == "" {
		token = s.cfg.BearerToken
	}
	b, err := clientcmd.Write(*s.Kubeconfig(token))
	if err != nil {
		return fmt.Errorf("mockbackend: write kubeconfig: %w", err)
	}
	if err := writeFileNoFollow(path, b, 0o600); err != nil {
		return fmt.Errorf("mockbackend: write kubeconfig %s: %w", path, err)
	}
	return nil
}
