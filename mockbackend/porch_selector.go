package mockbackend

import (
	"net/http"
	"slices"
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/apimachinery/pkg/labels"
)

// porchSelectableFields are the fields a fieldSelector may name, as Porch
// lets clients select PackageRevisions.
var porchSelectableFields = []string{
	"metadata.name", "metadata.namespace",
	"spec.packageName", "spec.repository", "spec.workspaceName", "spec.revision", "spec.lifecycle",
}

// k8sSelector is a list or watch request's labelSelector and fieldSelector;
// a nil one matches everything.
type k8sSelector struct {
	labels labels.Selector
	fields fields.Selector
}

// parseK8sSelector reads labelSelector and fieldSelector; it writes a 400
// Status naming the parameter and reports false for a bad one.
func parseK8sSelector(w http.ResponseWriter, r *http.Request) (*k8sSelector, bool) {
	q := r.URL.Query()
	ls, fs := q.Get("labelSelector"), q.Get("fieldSelector")
	if ls == "" && fs == "" {
		return nil, true
	}
	sel := &k8sSelector{labels: labels.Everything(), fields: fields.Everything()}
	if ls != "" {
		l, err := labels.Parse(ls)
		if err != nil {
			writeK8sStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "", "labelSelector", "unable to parse requirement: labelSelector "+ls+": "+err.Error())
			return nil, false
		}
		sel.labels = l
	}
	if fs != "" {
		f, err := fields.ParseSelector(fs)
		if err != nil {
			writeK8sStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "", "fieldSelector", "fieldSelector "+fs+": "+err.Error())
			return nil, false
		}
		for _, req := range f.Requirements() {
			if !slices.Contains(porchSelectableFields, req.Field) {
				writeK8sStatus(w, http.StatusBadRequest, metav1.StatusReasonBadRequest, "", "fieldSelector",
					`field label not supported: `+req.Field+`; valid: `+strings.Join(porchSelectableFields, ", "))
				return nil, false
			}
		}
		sel.fields = f
	}
	return sel, true
}

// matches reports whether pr is selected.
func (sel *k8sSelector) matches(pr *packageRevision) bool {
	if sel == nil {
		return true
	}
	if !sel.labels.Matches(labels.Set(pr.Metadata.Labels)) {
		return false
	}
	return sel.fields.Matches(fields.Set{
		"metadata.name": pr.Metadata.Name, "metadata.namespace": pr.Metadata.Namespace,
		"spec.packageName": pr.Spec.PackageName, "spec.repository": pr.Spec.Repository,
		"spec.workspaceName": pr.Spec.WorkspaceName, "spec.revision": pr.Spec.Revision, "spec.lifecycle": pr.Spec.Lifecycle,
	})
}
