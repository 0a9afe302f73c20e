package emulator

import "github.com/cloudapi/terraform-provider-apigateway/internal/emulator/model"

// Protocol side of API groups: CreateApiGroup and DeleteApiGroup.

func opCreateAPIGroup(s *Server, c *opContext) (any, error) {
	name, err := c.p.required("GroupName")
	if err != nil {
		return nil, err
	}
	g, err := s.store(c).CreateGroup(model.CreateGroupRequest{Name: name, Description: c.p.get("Description"), BasePath: c.p.get("BasePath")}, c.now)
	if err != nil {
		return nil, err
	}
	return createAPIGroupResponse{
		RequestID: c.requestID, GroupID: g.ID, GroupName: g.Name, Description: g.Description, BasePath: g.BasePath,
		SubDomain:  g.ID + "-" + c.region + ".alicloudapi.com",
		InstanceID: "api-shared-vpc-001", InstanceType: "VPC_SHARED",
	}, nil
}

func opDeleteAPIGroup(_ *Server, c *opContext) (any, error) {
	id, err := c.p.required("GroupId")
	if err != nil {
		return nil, err
	}
	return ack(c, c.r.DeleteGroup(id))
}
