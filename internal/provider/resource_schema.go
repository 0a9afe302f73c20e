package provider

import (
	"context"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

// The attribute kinds the resources' schemas share.

// computedAttribute is a computed string that keeps its value across plans: an id, or what the
// service reports.
func computedAttribute(desc string) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc,
		Computed:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
	}
}

// replacingAttribute is a required string, checked by v, whose change replaces the resource.
func replacingAttribute(desc string, v validator.String) schema.StringAttribute {
	return schema.StringAttribute{
		MarkdownDescription: desc,
		Required:            true,
		PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		Validators:          []validator.String{v},
	}
}

// identityAttribute is an attribute of a resource identity.
func identityAttribute(desc string) identityschema.StringAttribute {
	return identityschema.StringAttribute{Description: desc, RequiredForImport: true}
}

// timeoutsBlock is the timeouts block of a resource: a refresh's timeout, and those of the
// operations whose description is given ("" leaves one out). Each description gets its default.
func timeoutsBlock(ctx context.Context, create, update, del string) map[string]schema.Block {
	withDefault := func(desc string, def time.Duration) string {
		if desc == "" {
			return ""
		}
		return desc + " Default " + def.String() + "."
	}
	return map[string]schema.Block{
		"timeouts": timeouts.Block(ctx, timeouts.Opts{
			Create: create != "", Read: true, Update: update != "", Delete: del != "",
			CreateDescription: withDefault(create, defaultCreateTimeout),
			ReadDescription:   withDefault("How long a refresh may take, as a Go duration.", defaultReadTimeout),
			UpdateDescription: withDefault(update, defaultCreateTimeout),
			DeleteDescription: withDefault(del, defaultDeleteTimeout),
		}),
	}
}
